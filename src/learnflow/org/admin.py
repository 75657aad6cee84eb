from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from learnflow.org.models import ApiToken, Team, User


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "parent")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "team", "manager", "is_active")
    list_filter = ("role", "team", "is_active")
    list_select_related = ("team", "manager")
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("manager",)
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("Organisation", {"fields": ("role", "team", "manager", "job_title", "availability", "availability_note",
                                     "timezone")}),
    )

    def save_model(self, request, obj, form, change):
        # Keep admin access tied to the admin role, whatever the checkboxes said.
        obj.is_staff = obj.is_superuser = obj.role == "admin"
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "token_hash", "created_at", "last_used_at")
    list_select_related = ("user",)
