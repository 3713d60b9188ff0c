import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def sum_existing_answers(apps, schema_editor):
    """An upgraded site's dashboard is right at once: sum the answers given before the table existed."""
    from quizzes.tallies import tallies_rebuild

    tallies_rebuild(
        answer_model=apps.get_model("attune_quizzes", "Answer"),
        tally_model=apps.get_model("attune_quizzes", "SkillTally"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("attune_course", "0005_lesson_progress_last_opened"),
        ("attune_quizzes", "0003_attempt_started_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SkillTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("skill", models.CharField(max_length=64)),
                ("earned", models.PositiveIntegerField(default=0, help_text="Sum of the grades of the answers.")),
                ("steps", models.PositiveIntegerField(default=0, help_text="Answers (steps) counted.")),
                ("harmful", models.PositiveIntegerField(default=0, help_text="Answers that picked a harmful option.")),
                ("last_answered_at", models.DateTimeField()),
                (
                    "course",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="attune_course.course"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["course", "skill"], include=["user", "earned", "steps"], name="skill_tally_course_skill"
                    ),
                    models.Index(fields=["course", "harmful"], name="skill_tally_course_harmful"),
                    models.Index(fields=["course", "last_answered_at"], name="skill_tally_course_answered"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "course", "skill"), name="skill_tally_one_per_user_course_skill"
                    )
                ],
            },
        ),
        migrations.RunPython(sum_existing_answers, migrations.RunPython.noop),
    ]
