from django.contrib import admin

from refuge.rights.models import RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """The retention policy is data: each deployment sets its own periods here."""

    list_display = ("kind", "keep_days", "note")
