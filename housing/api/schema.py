"""The API schema's finishing touches (drf-spectacular postprocessing hooks)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

ERROR_COMPONENT = "ErrorBody"

#: Answers every operation may give, besides its own: the error body of housing.api.base.
ERROR_RESPONSES = {
    "400": gettext_noop("Requête invalide (paramètre ou corps) : rien n'a été enregistré."),
    "401": gettext_noop("Jeton absent, inconnu, révoqué ou expiré."),
    "403": gettext_noop("Jeton en lecture seule pour une écriture, ou compte sans accès."),
    "404": gettext_noop("Introuvable, ou d'un autre bailleur."),
    "429": gettext_noop("Trop de requêtes pour ce jeton : réessayez plus tard."),
}


def add_error_responses(result, generator, request, public):
    """Document the error body and the error answers on every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        ERROR_COMPONENT,
        {
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "code": {"type": "string"},
                "errors": {},
            },
            "required": ["message", "code", "errors"],
        },
    )
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                responses.setdefault(
                    status,
                    {
                        "description": _(description),
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
