from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Sequence

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from learnflow.core.services import skill_get_or_create_many, tag_get_or_create_many
from learnflow.org.models import ApiToken, Availability, Role, Team, User

TOKEN_PREFIX = "lf_"


def _sync_role_flags(user: User) -> None:
    # Admins manage people in the Django admin; nobody else gets in there.
    user.is_staff = user.role == Role.ADMIN
    user.is_superuser = user.role == Role.ADMIN


@transaction.atomic
def team_create(*, name: str, parent: Team | None = None, description: str = "") -> Team:
    team = Team(name=name.strip(), slug=slugify(name)[:120], parent=parent, description=description)
    team.full_clean()
    team.save()
    return team


def team_get_or_create(*, name: str, parent: Team | None = None) -> Team:
    team = Team.objects.filter(name__iexact=name.strip()).first()
    return team or team_create(name=name, parent=parent)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str = Role.MEMBER,
    team: Team | None = None,
    manager: User | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    job_title: str = "",
    skills: Sequence[str] = (),
    interests: Sequence[str] = (),
    check_password: bool = True,
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role “{role}”; use one of {', '.join(Role.values)}."})
    user = User(username=username.strip(), email=email.strip(), first_name=first_name.strip(),
                last_name=last_name.strip(), role=role, team=team, manager=manager, job_title=job_title.strip())
    if User.objects.filter(username__iexact=user.username).exists():
        raise ValidationError({"username": f"The username “{user.username}” is taken."})
    if password:
        if check_password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    _sync_role_flags(user)
    user.full_clean()
    user.save()
    if skills:
        user.skills.set(skill_get_or_create_many(names=skills))
    if interests:
        user.interests.set(tag_get_or_create_many(names=interests))
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    role: str | None = None,
    team: Team | None | type[Ellipsis] = ...,
    manager: User | None | type[Ellipsis] = ...,
    is_active: bool | None = None,
    **fields: str,
) -> User:
    if role is not None:
        if role not in Role.values:
            raise ValidationError({"role": f"Unknown role “{role}”."})
        user.role = role
        _sync_role_flags(user)
    if team is not ...:
        user.team = team
    if manager is not ...:
        if manager is not None and manager.pk == user.pk:
            raise ValidationError({"manager": "A person cannot be their own manager."})
        user.manager = manager
    if is_active is not None:
        user.is_active = is_active
    for name in ("first_name", "last_name", "email", "job_title"):
        if name in fields:
            setattr(user, name, fields[name].strip())
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def profile_update(
    *,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    job_title: str,
    skills: Sequence[str],
    interests: Sequence[str],
    availability: str,
    availability_note: str = "",
    timezone_name: str = "UTC",
) -> User:
    if availability not in Availability.values:
        raise ValidationError({"availability": "Choose available, busy or away."})
    user.first_name, user.last_name, user.email = first_name.strip(), last_name.strip(), email.strip()
    user.job_title, user.availability = job_title.strip(), availability
    user.availability_note, user.timezone = availability_note.strip(), timezone_name
    user.full_clean()
    user.save()
    user.skills.set(skill_get_or_create_many(names=skills))
    user.interests.set(tag_get_or_create_many(names=interests))
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str = "Personal token") -> tuple[ApiToken, str]:
    """Returns the token row and the token itself, which is never stored and cannot be shown again."""
    name = (name or "").strip() or "Personal token"
    if len(name) > 80:
        raise ValidationError({"name": "Keep the token's name under 80 characters."})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], token_hash=_token_hash(raw))
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        raise ValidationError({"token": "No such token."})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (ApiToken.objects.select_related("user", "user__team")
             .filter(token_hash=_token_hash(raw), revoked_at__isnull=True).first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # One write a minute at most: the token check sits on every API call's hot path.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Failed sign-in throttling, in the shared cache so that it holds across several app servers.

def _attempt_keys(username: str, ip: str) -> list[str]:
    user_key = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:u:{user_key}", f"login-fail:ip:{ip}"]


def login_is_throttled(*, username: str, ip: str) -> bool:
    limit = settings.LOGIN_RATE_LIMIT
    # The per-IP budget is wider so that one office behind a NAT is not locked out by one person's typos.
    counts = cache.get_many(_attempt_keys(username, ip))
    user_key, ip_key = _attempt_keys(username, ip)
    return counts.get(user_key, 0) >= limit or counts.get(ip_key, 0) >= limit * 4


def login_failed(*, username: str, ip: str) -> None:
    for key in _attempt_keys(username, ip):
        if not cache.add(key, 1, timeout=settings.LOGIN_RATE_WINDOW):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=settings.LOGIN_RATE_WINDOW)


def login_succeeded(*, username: str, ip: str) -> None:
    cache.delete(_attempt_keys(username, ip)[0])
