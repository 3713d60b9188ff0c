"""Instructors' side of the quizzes app: cohort dashboards, trainees' work, item analysis, exports."""
