"""HTML views: My flow, what I follow, digest settings with the private feed, past digests, and the Atom feed."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from learnflow.core.errors import NotFound, form_apply_errors, validation_fields
from learnflow.curation.models import Topic
from learnflow.flow import selectors, services
from learnflow.flow.atom import atom_document
from learnflow.flow.forms import DigestPreferenceForm
from learnflow.flow.templatetags.flow import follow_context


@login_required
def index(request: HttpRequest) -> HttpResponse:
    pref = selectors.preference_for(viewer=request.user)
    following = selectors.follows_of(viewer=request.user)
    return render(request, "flow/index.html", {
        "items": selectors.flow_live(viewer=request.user), "digests": selectors.digest_list(viewer=request.user),
        "pref": pref, "following": following,
        "follows_anything": bool(following.topics or following.curators or following.refs),
    })


@login_required
def following(request: HttpRequest) -> HttpResponse:
    mine = selectors.follows_of(viewer=request.user)
    followed_topics = {t.pk for t in mine.topics}
    followed_curators = {c.pk for c in mine.curators}
    topics = list(Topic.objects.select_related("parent").order_by("name"))
    return render(request, "flow/following.html", {
        "topics": [(t, t.pk in followed_topics) for t in topics],
        "curators": [(c, c.pk in followed_curators) for c in selectors.curators(viewer=request.user)],
    })


def _target(request: HttpRequest) -> dict:
    """The thing a follow button names: topic=<id>, curator=<id>, or source=<name>&ref=<ref>."""
    data = request.POST
    try:
        if data.get("topic"):
            return {"topic": Topic.objects.get(pk=int(data["topic"]))}
        if data.get("curator"):
            return {"curator": get_user_model().objects.get(pk=int(data["curator"]), is_active=True)}
    except (ValueError, Topic.DoesNotExist, get_user_model().DoesNotExist) as exc:
        raise Http404("Nothing to follow there.") from exc
    if data.get("source"):
        return {"source": data["source"], "ref": data.get("ref", "")}
    raise Http404("Nothing to follow there.")


@login_required
@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    """Follow or unfollow (action=follow|unfollow). With htmx the button is swapped in place; without, back to the
    page it was on."""
    target = _target(request)
    error = ""
    try:
        if request.POST.get("action") == "unfollow":
            services.follow_remove(user=request.user, **target)
        else:
            services.follow_add(user=request.user, **target)
    except ValidationError as exc:
        error = "; ".join(e["message"] for e in validation_fields(exc))
    label = request.POST.get("label", "")
    if request.htmx:
        context = follow_context(request.user, label=label, **target)
        context["error"] = error
        return render(request, "flow/_follow.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    return redirect(back or "flow:following")


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    pref = selectors.preference_for(viewer=request.user)
    form = DigestPreferenceForm(request.POST or None,
                                initial={"frequency": pref.frequency, "by_email": pref.by_email})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.digest_preference_update(user=request.user, frequency=form.cleaned_data["frequency"],
                                                  by_email=form.cleaned_data["by_email"])
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Saved.")
                return redirect("flow:settings")
        status = 400
    feed_url = request.build_absolute_uri(services.feed_path(pref)) if pref.feed_id else ""
    return render(request, "flow/settings.html", {"form": form, "pref": pref, "feed_url": feed_url}, status=status)


@login_required
@require_POST
def feed_manage(request: HttpRequest) -> HttpResponse:
    if request.POST.get("action") == "revoke":
        services.feed_revoke(user=request.user)
        messages.success(request, "Your private feed is switched off; its old address no longer works.")
    else:
        services.feed_regenerate(user=request.user)
        messages.success(request, "A new private feed address is ready; any old address no longer works.")
    return redirect("flow:settings")


@login_required
def digest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        digest = selectors.digest_get(viewer=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "flow/digest.html", {
        "digest": digest, "items": selectors.digest_items(viewer=request.user, digest=digest),
    })


@require_GET
def atom(request: HttpRequest, feed_id: str, token: str) -> HttpResponse:
    """No session: the address is the key. Evaluated at each request, with the person's rights of the moment."""
    try:
        person = selectors.feed_owner(feed_id=feed_id, token=token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    items = selectors.flow_live(viewer=person)
    body = atom_document(person=person, items=items, self_url=request.build_absolute_uri())
    response = HttpResponse(body, content_type="application/atom+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
