from django.contrib import admin

from refuge.sites.models import Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "region", "capacity", "is_active")
    list_filter = ("kind", "region", "is_active")
