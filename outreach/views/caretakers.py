"""Caretakers' pages: the phone-friendly "today" page, solidarity tasks, the supervisors' board."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from housing.duties import (
    DUTY_SUPERVISORS,
    DutyError,
    DutyWeek,
    caretaker_buildings,
    caretaker_rounds,
    caretaker_rounds_today,
    caretakers_of,
    duty_round_complete,
    duty_week_board,
    week_start,
)
from housing.mixins import RoleRequiredMixin
from housing.models import Role
from outreach.errors import OutreachError
from outreach.forms.caretakers import (
    DoneNoteForm,
    ReportProblemForm,
    SolidarityTaskForm,
    TaskCancelForm,
    WeekForm,
)
from outreach.models import Need, SolidarityTask
from outreach.selectors.caretakers import (
    caretaker_help_needs,
    caretaker_households,
    caretaker_open_tasks,
    caretaker_tasks,
    household_addresses,
    open_solidarity_tasks,
)
from outreach.services.campaigns import CALLERS
from outreach.services.caretakers import (
    caretaker_report_problem,
    solidarity_task_cancel,
    solidarity_task_complete,
    solidarity_task_create,
)
from tenants.models import Household

CARETAKERS = [Role.CARETAKER]


def _with_dwellings(tasks):
    tasks = list(tasks)
    dwellings = household_addresses([task.household_id for task in tasks])
    for task in tasks:
        task.dwelling = dwellings.get(task.household_id)
    return tasks


# ---------------------------------------------------------------------------------------------
# The caretaker's day


class CaretakerTodayView(RoleRequiredMixin, TemplateView):
    """Rounds due today in my buildings, my solidarity tasks, and reporting a problem on site."""

    required_roles = CARETAKERS
    template_name = "outreach/caretakers/today.html"

    def report_form(self, data=None):
        return ReportProblemForm(
            data,
            buildings=caretaker_buildings(self.request.user),
            households=caretaker_households(self.request.user),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        rounds = list(caretaker_rounds_today(user, self.today))
        for duty_round in rounds:
            duty_round.completion = (duty_round.today_completions or [None])[0]
        context.update(
            today=self.today,
            rounds=rounds,
            rounds_left=sum(1 for duty_round in rounds if duty_round.completion is None),
            tasks=_with_dwellings(caretaker_open_tasks(user)),
            buildings=list(caretaker_buildings(user)),
            done_form=DoneNoteForm(),
            report_form=kwargs.get("report_form") or self.report_form(),
        )
        return context

    def dispatch(self, request, *args, **kwargs):
        self.today = timezone.localdate()
        return super().dispatch(request, *args, **kwargs)

    def post(self, request):
        """The report form: a technical request filed on site for a household of my buildings."""
        form = self.report_form(request.POST)
        if form.is_valid():
            try:
                created = caretaker_report_problem(
                    user=request.user,
                    household=form.cleaned_data["household"],
                    building=form.cleaned_data["building"],
                    category=form.cleaned_data["category"],
                    location=form.cleaned_data["location"],
                    description=form.cleaned_data["description"],
                )
            except OutreachError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Demande %(reference)s enregistrée pour %(where)s.")
                    % {
                        "reference": created.reference,
                        "where": created.household.name
                        if created.household
                        else created.building.name,
                    },
                )
                return redirect(reverse("outreach:caretaker_today") + "#signaler")
        return self.render_to_response(self.get_context_data(report_form=form), status=400)


class CaretakerActionView(RoleRequiredMixin, View):
    """Tick something off the "today" page with an optional note, then go back to it."""

    required_roles = CARETAKERS
    http_method_names = ["post"]
    anchor = ""
    errors: tuple[type[Exception], ...] = ()

    def get_object(self, pk):
        raise NotImplementedError

    def act(self, obj, note: str):
        raise NotImplementedError

    def success_message(self, obj) -> str:
        raise NotImplementedError

    def post(self, request, pk):
        obj = self.get_object(pk)
        form = DoneNoteForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("note", [])))
        else:
            try:
                self.act(obj, form.cleaned_data["note"])
            except self.errors as error:
                messages.error(request, error.message)
            else:
                messages.success(request, self.success_message(obj))
        return redirect(reverse("outreach:caretaker_today") + self.anchor)


class CaretakerRoundDoneView(CaretakerActionView):
    anchor = "#tournees"
    errors = (DutyError,)

    def get_object(self, pk):
        rounds = caretaker_rounds(self.request.user).select_related("building__landlord")
        return get_object_or_404(rounds, pk=pk)

    def act(self, obj, note):
        duty_round_complete(duty_round=obj, user=self.request.user, note=note)

    def success_message(self, obj):
        return _("« %(round)s » cochée pour %(building)s.") % {
            "round": obj.get_kind_display(),
            "building": obj.building.name,
        }


class CaretakerTaskDoneView(CaretakerActionView):
    anchor = "#taches"
    errors = (OutreachError,)

    def get_object(self, pk):
        return get_object_or_404(caretaker_tasks(self.request.user), pk=pk)

    def act(self, obj, note):
        solidarity_task_complete(task=obj, user=self.request.user, note=note)

    def success_message(self, obj):
        return _("Tâche faite : %(task)s.") % {"task": obj.description}


# ---------------------------------------------------------------------------------------------
# Solidarity tasks (callers and supervisors)


class SolidarityTaskListView(RoleRequiredMixin, TemplateView):
    """Needs for the caretaker's help still to hand over, and the tasks given to caretakers."""

    required_roles = CALLERS
    template_name = "outreach/caretakers/task_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            needs=list(caretaker_help_needs(user, landlord_ids=self.role_landlord_ids)),
            tasks=_with_dwellings(open_solidarity_tasks(user, landlord_ids=self.role_landlord_ids)),
            cancel_form=TaskCancelForm(),
        )
        return context


class SolidarityTaskCreateView(RoleRequiredMixin, FormView):
    """Give a caretaker a task for a household: from a call's need (?besoin=) or a household (?menage=)."""

    required_roles = CALLERS
    template_name = "outreach/caretakers/task_form.html"
    form_class = SolidarityTaskForm

    def dispatch(self, request, *args, **kwargs):
        self.need = None
        return super().dispatch(request, *args, **kwargs)

    def _origin(self):
        """The household (and need) the task is about; another landlord's answers 404."""
        if hasattr(self, "household"):
            return
        # The form posts back to its own address, query string included.
        params = self.request.GET
        need_id, household_id = params.get("besoin", ""), params.get("menage", "")
        if need_id.isdigit():
            self.need = get_object_or_404(
                Need.objects.visible_to(self.request.user)
                .filter(household__landlord_id__in=self.role_landlord_ids)
                .select_related("household", "call_log"),
                pk=need_id,
            )
            self.household = self.need.household
        elif household_id.isdigit():
            self.household = get_object_or_404(
                Household.objects.visible_to(self.request.user).filter(
                    landlord_id__in=self.role_landlord_ids
                ),
                pk=household_id,
            )
        else:
            raise Http404

    def get_form_kwargs(self):
        self._origin()
        kwargs = super().get_form_kwargs()
        kwargs["caretakers"] = caretakers_of(self.household.landlord_id)
        return kwargs

    def get_initial(self):
        self._origin()
        initial = {"due_on": timezone.localdate()}
        if self.need is not None and self.need.note:
            initial["description"] = self.need.note[:255]
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            household=self.household,
            need=self.need,
            dwelling=household_addresses([self.household.pk]).get(self.household.pk),
        )
        return context

    def form_valid(self, form):
        try:
            task = solidarity_task_create(
                household=self.household,
                need=self.need,
                created_by=self.request.user,
                **form.cleaned_data,
            )
        except OutreachError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Tâche confiée à %(caretaker)s : %(task)s.")
            % {
                "caretaker": task.assigned_to.get_full_name() or task.assigned_to.email,
                "task": task.description,
            },
        )
        return redirect("outreach:solidarity_task_list")


class SolidarityTaskCancelView(RoleRequiredMixin, View):
    required_roles = CALLERS
    http_method_names = ["post"]

    def post(self, request, pk):
        task = get_object_or_404(
            SolidarityTask.objects.visible_to(request.user).filter(
                landlord_id__in=self.role_landlord_ids
            ),
            pk=pk,
        )
        form = TaskCancelForm(request.POST)
        form.is_valid()
        try:
            solidarity_task_cancel(
                task=task, user=request.user, reason=form.cleaned_data.get("reason", "")
            )
        except OutreachError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Tâche annulée : %(task)s.") % {"task": task.description})
        return redirect("outreach:solidarity_task_list")


# ---------------------------------------------------------------------------------------------
# The supervisors' week board


class DutyBoardView(RoleRequiredMixin, TemplateView):
    """Per building, the week's rounds due, done and missed; the caretakers' open tasks."""

    required_roles = DUTY_SUPERVISORS
    template_name = "outreach/caretakers/board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        week_form = WeekForm(self.request.GET)
        week = DutyWeek(start=week_start(week_form.day()), today=timezone.localdate())
        buildings = list(duty_week_board(user, landlord_ids=self.role_landlord_ids, week=week))
        context.update(
            week=week,
            week_form=week_form,
            buildings=buildings,
            totals={
                name: sum(getattr(building, name) for building in buildings)
                for name in ("due", "done", "missed")
            },
            tasks=_with_dwellings(open_solidarity_tasks(user, landlord_ids=self.role_landlord_ids)),
        )
        return context


urlpatterns = [
    path("gardien/", CaretakerTodayView.as_view(), name="caretaker_today"),
    path(
        "gardien/tournees/<int:pk>/faite/",
        CaretakerRoundDoneView.as_view(),
        name="caretaker_round_done",
    ),
    path(
        "gardien/taches/<int:pk>/faite/",
        CaretakerTaskDoneView.as_view(),
        name="caretaker_task_done",
    ),
    path("gardiennage/", DutyBoardView.as_view(), name="duty_board"),
    path("taches-solidaires/", SolidarityTaskListView.as_view(), name="solidarity_task_list"),
    path(
        "taches-solidaires/nouvelle/",
        SolidarityTaskCreateView.as_view(),
        name="solidarity_task_create",
    ),
    path(
        "taches-solidaires/<int:pk>/annuler/",
        SolidarityTaskCancelView.as_view(),
        name="solidarity_task_cancel",
    ),
]
