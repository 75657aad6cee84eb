"""HTML views: parse, call one service or selector, render."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from learnflow.concierge import selectors, services
from learnflow.concierge.forms import (
    DirectorySearchForm, HelpRequestForm, MessageForm, PassOnForm, ProfileForm, RespondForm,
)
from learnflow.concierge.models import ConciergeProfile, HelpMessage, QueueReason
from learnflow.core.errors import NotFound, form_apply_errors


MAX_ID = 2**63 - 1          # the largest id a database column holds


def _request_or_404(viewer, pk: int):
    if pk > MAX_ID:
        raise Http404("No such help request.")
    try:
        return selectors.help_request_get(viewer=viewer, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _user_or_none(pk_or_name: str):
    User = get_user_model()
    value = (pk_or_name or "").strip()
    if not value:
        return None
    if value.isdigit():
        if int(value) > MAX_ID:
            return None
        query = {"pk": int(value)}
    else:
        query = {"username": value}
    return User.objects.filter(is_active=True, **query).first()


def _bad_request(text: str) -> HttpResponse:
    """A form that was not sent by our page (a missing or unknown value): nothing is decided, the reason is said."""
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    return render(request, "concierge/home.html", {
        "mine": list(selectors.help_request_list(viewer=viewer, scope="mine")[:50]),
        "asked": list(selectors.help_request_list(viewer=viewer, scope="asked").exclude(asker=viewer)[:50]),
        "waiting": selectors.asks_waiting_count(viewer=viewer),
        "queue_count": selectors.queue_count(viewer=viewer),
    })


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    form = HelpRequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                help_request = services.help_request_create(
                    asker=request.user, title=d["title"], description=d["description"], tried=d["tried"],
                    topics=list(d["topics"]), skills=d["skills"], urgency=d["urgency"], mode=d["mode"])
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                return redirect("concierge:request", help_request.pk)
        return render(request, "concierge/request_form.html", {"form": form}, status=400)
    return render(request, "concierge/request_form.html", {"form": form})


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.user
    help_request = _request_or_404(viewer, pk)
    is_asker = viewer.pk == help_request.asker_id
    my_ask = selectors.ask_for(request=help_request, viewer=viewer)
    routing = help_request.in_queue and viewer.is_lnd
    context = {
        "r": help_request, "is_asker": is_asker, "my_ask": my_ask, "routing": routing,
        "can_post": help_request.is_open and (is_asker or routing or (my_ask is not None and my_ask.is_live)),
        "message_form": MessageForm(), "pass_form": PassOnForm(), "respond_form": RespondForm(),
        "helpers": services.helpers_of(help_request) if is_asker else [],
    }
    if help_request.is_open and (is_asker or routing):
        text = f"{help_request.title}\n{help_request.description}"
        topics = list(help_request.topics.all())
        suggestions = selectors.request_suggestions(viewer=viewer, request=help_request)
        context.update(
            suggestions=suggestions, good_match=any(s.good_match for s in suggestions),
            resources=selectors.resources_matching(viewer=viewer, text=text, topics=topics),
            communities=selectors.communities_matching(viewer=viewer, text=text, topics=topics))
    return render(request, "concierge/request_detail.html", context)


def _back(pk: int):
    return redirect("concierge:request", pk)


def _run(request: HttpRequest, pk: int, action, success: str):
    try:
        action()
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "You cannot do that here.")
    else:
        if success:
            messages.success(request, success)
    return _back(pk)


@login_required
@require_POST
def request_ask(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _request_or_404(request.user, pk)
    people = [u for u in (_user_or_none(v) for v in request.POST.getlist("person")) if u is not None]
    return _run(request, pk, lambda: services.help_request_ask(request=help_request, actor=request.user,
                                                               people=people, note=request.POST.get("note", "")),
                f"Asked {', '.join(p.display_name for p in people)}." if people else "")


@login_required
@require_POST
def request_reply(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _request_or_404(request.user, pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a reply first.")
        return _back(pk)
    return _run(request, pk, lambda: services.help_message_post(request=help_request, author=request.user,
                                                                body=form.cleaned_data["body"]), "")


@login_required
@require_POST
def request_respond(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _request_or_404(request.user, pk)
    ask = selectors.ask_for(request=help_request, viewer=request.user)
    if ask is None:
        raise Http404("You were not asked.")
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        return _bad_request("Answer “accept” or “decline”: nothing was changed.")
    accept = answer == "accept"
    return _run(request, pk, lambda: services.help_ask_respond(ask=ask, actor=request.user, accept=accept,
                                                               note=request.POST.get("note", "")),
                "Thanks: the asker knows you will help." if accept else "Declined: the asker knows.")


@login_required
@require_POST
def request_pass(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _request_or_404(request.user, pk)
    ask = selectors.ask_for(request=help_request, viewer=request.user)
    if ask is None:
        raise Http404("You were not asked.")
    form = PassOnForm(request.POST)
    to = _user_or_none(request.POST.get("to", ""))
    if not form.is_valid() or to is None:
        messages.error(request, "Name the colleague (their username) to pass it on to.")
        return _back(pk)
    return _run(request, pk, lambda: services.help_ask_pass(ask=ask, actor=request.user, to=to,
                                                            note=form.cleaned_data["note"]),
                f"Passed on to {to.display_name}.")


@login_required
@require_POST
def request_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _request_or_404(request.user, pk)
    named = request.POST.get("helper", "").strip()
    helper = _user_or_none(named)
    if named and helper is None:
        return _bad_request("No such colleague to name as the helper: nothing was changed.")
    return _run(request, pk, lambda: services.help_request_resolve(request=help_request, actor=request.user,
                                                                   helper=helper), "Marked resolved.")


@login_required
@require_POST
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _request_or_404(request.user, pk)
    return _run(request, pk, lambda: services.help_request_close(request=help_request, actor=request.user),
                "Request withdrawn.")


@login_required
@require_POST
def request_thank(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _request_or_404(request.user, pk)
    return _run(request, pk, lambda: services.help_request_thank(request=help_request, actor=request.user,
                                                                 note=request.POST.get("note", "")),
                "Your thanks are on their way.")


@login_required
@require_POST
def request_publish(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _request_or_404(request.user, pk)
    return _run(request, pk, lambda: services.help_request_publish_agree(request=help_request, actor=request.user),
                "Noted. It is published once both of you agree.")


@login_required
@require_POST
def request_queue(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _request_or_404(request.user, pk)
    return _run(request, pk, lambda: services.help_request_queue(request=help_request, actor=request.user,
                                                                 reason=QueueReason.ASKED),
                "Sent to the L&D concierge.")


@login_required
@require_POST
def request_take(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _request_or_404(request.user, pk)
    return _run(request, pk, lambda: services.help_request_take(request=help_request, actor=request.user),
                "You are looking after this request.")


@login_required
@require_POST
def message_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    message = HelpMessage.objects.select_related("request").filter(pk=pk, author=request.user).first()
    if message is None:
        raise Http404("No such answer of yours.")
    return _run(request, message.request_id,
                lambda: services.help_message_to_evidence(message=message, actor=request.user),
                "Added to your journal (private: share it from there if you like).")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    try:
        items = list(selectors.help_request_list(viewer=request.user, scope="queue")[:200])
    except PermissionDenied as exc:
        raise Http404("The concierge queue is for L&D.") from exc
    return render(request, "concierge/queue.html", {"items": items})


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    results = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        results = selectors.expertise_directory(viewer=request.user, query=query)
    return render(request, "concierge/directory.html", {"form": form, "results": results, "query": query})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    current = ConciergeProfile.objects.filter(user=request.user).first()
    form = ProfileForm(request.POST or None, initial={"opt_out": bool(current and current.opt_out)})
    if request.method == "POST" and form.is_valid():
        services.concierge_profile_set(user=request.user, opt_out=form.cleaned_data["opt_out"])
        messages.success(request, "Saved.")
        return redirect("concierge:settings")
    return render(request, "concierge/settings.html", {"form": form})

