"""The export page: pick data and format; small files come at once, large ones are built."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from housing.exports import (
    ACCESS_CHANGED,
    NOT_YOUR_EXPORT,
    REGISTRY,
    ExportError,
    export_request,
)
from housing.mixins import StaffRequiredMixin
from housing.models import Export, ExportFormat, ExportStatus


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Données"))
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (spec.kind, spec.title) for spec in REGISTRY.values() if spec.allowed(user)
        ]


def _my_exports(user):
    return Export.objects.visible_to(user)


def _mark_downloadable(user, exports):
    """``export.downloadable``: finished, and its author still holds what it covers."""
    for export in exports:
        spec = REGISTRY.get(export.kind)
        export.downloadable = (
            export.status == ExportStatus.DONE
            and bool(export.file)
            and spec is not None
            and spec.still_open_to(user, export.landlord_ids)
        )
    return exports


class ExportView(StaffRequiredMixin, View):
    template_name = "housing/exports.html"

    def render_page(self, request, form, status=200):
        titles = {spec.kind: spec.title for spec in REGISTRY.values()}
        exports = _mark_downloadable(request.user, list(_my_exports(request.user)[:20]))
        for export in exports:
            export.title = titles.get(export.kind, export.kind)
        context = {"form": form, "exports": exports}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(request, ExportForm(initial=request.GET or None, user=request.user))

    def post(self, request):
        # An export the user's roles do not open (call logs and their notes, say) is refused like
        # a page their role does not open: 403, nothing recorded.
        spec = REGISTRY.get(request.POST.get("kind", ""))
        if spec is not None and not spec.allowed(request.user):
            raise PermissionDenied(NOT_YOUR_EXPORT)
        form = ExportForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        try:
            response, export = export_request(user=request.user, **form.cleaned_data)
        except ExportError as error:
            form.add_error(None, error.message)
            return self.render_page(request, form, status=400)
        if response is not None:
            return response
        messages.info(
            request,
            _("L'export est en préparation : il sera proposé au téléchargement ici même."),
        )
        return redirect("housing:exports")


class ExportStatusView(StaffRequiredMixin, View):
    """htmx polling: where an export stands (polling stops once it has finished)."""

    def get(self, request, pk):
        export = get_object_or_404(_my_exports(request.user), pk=pk)
        _mark_downloadable(request.user, [export])
        return render(request, "housing/_export_status.html", {"export": export})


class ExportDownloadView(StaffRequiredMixin, View):
    """The file, through this view only (never a public media address); 404 if not yours.

    A file whose author has since lost a landlord it covers (or the role it needs) is refused:
    the page says why, and the file stays until the daily purge.
    """

    def get(self, request, pk):
        export = get_object_or_404(_my_exports(request.user), pk=pk)
        if export.status != ExportStatus.DONE or not export.file:
            raise Http404
        if not _mark_downloadable(request.user, [export])[0].downloadable:
            messages.error(request, ACCESS_CHANGED)
            return redirect("housing:exports")
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=export.file.name.rsplit("/", 1)[-1],
        )
