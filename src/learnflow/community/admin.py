"""The Django admin is the one place an administrator manages communities they are not a member of (hidden ones
included): the product's pages and API give roles no reading rights."""
from django.contrib import admin

from learnflow.community.models import Community, JoinRequest, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "access", "member_count", "post_count", "created_at"]
    list_filter = ["access"]
    search_fields = ["name"]
    readonly_fields = ["member_count", "post_count"]
    inlines = [MembershipInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # Memberships changed here bypass the services, so the kept count is taken again.
        community = form.instance
        Community.objects.filter(pk=community.pk).update(member_count=community.memberships.count())


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["community", "user", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["user", "decided_by"]
