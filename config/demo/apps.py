from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo host's own app: the seed commands behind `make run`. Never part of the plugin."""

    name = "config.demo"
    label = "attune_demo"
    verbose_name = "Attune demo host"
