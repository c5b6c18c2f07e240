from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "refuge.demo"
    verbose_name = "Demo"
