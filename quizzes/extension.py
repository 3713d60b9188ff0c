"""The quizzes' section of a course package, registered with course.package in AppConfig.ready():
reading (quizzes.package), applying (quizzes.services) and the keying rules (quizzes.validation)."""

from __future__ import annotations

from course.package import CoursePackage, Problem

from . import package, services, validation


class QuizExtension:
    name = "quizzes"

    def load(self, course_package: CoursePackage, problems: list[Problem]) -> package.QuizSection:
        return package.load_section(course_package, problems)

    def apply(self, course, modules: dict, section: package.QuizSection, report) -> None:
        services.package_apply(course, modules, section, report)

    def validate(self, course_package: CoursePackage, section: package.QuizSection) -> list[Problem]:
        return validation.package_problems(course_package, section)

    def summary(self, course_package: CoursePackage, section: package.QuizSection) -> dict[str, int | str]:
        return validation.package_summary(course_package, section)

    def report(self, course_package: CoursePackage, section: package.QuizSection) -> list[str]:
        return validation.session_report(section)
