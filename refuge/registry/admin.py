from django.contrib import admin

from refuge.registry.models import Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    """Reference data only: personal records are not edited through the admin, where the
    registry's rules and its audit trail would be bypassed."""

    list_display = ("pcode", "name_en", "name_ar", "name_ru", "level", "parent")
    list_filter = ("level",)
    search_fields = ("pcode", "name_en", "name_ar", "name_ru")
