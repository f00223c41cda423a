"""Typer's own words in French, and French value names in the help.

Typer (with the Click it vendors) writes its help and error texts in English, mostly as
plain strings: :func:`install` sets the Rich panel titles and markers, the ``--help``
text and the ``Usage:`` line in French, replaces the ``<str>``/``<bool>``/``<list[str]>``
type labels with French value names (``TEXTE``, ``FICHIER``…, none for a switch) and
translates the usage-error messages (:func:`french_error`) before they are shown.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["ARGUMENT_NAMES", "HELP_TEXT", "french_error", "install", "value_name"]

HELP_TEXT = "Afficher cette aide."

#: Typer's gettext-marked texts (``typer.core``), in French.
_GETTEXT: dict[str, str] = {
    "Show this message and exit.": HELP_TEXT,
    "Arguments": "Arguments",
    "Options": "Options",
    "Commands": "Commandes",
    "default: {default}": "défaut : {default}",
    "env var: {var}": "variable : {var}",
    "required": "obligatoire",
    "(dynamic)": "(calculé)",
    "Aborted!": "Interrompu.",
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
}

#: Click's usage-error messages (English regex → French), in the order tried.
_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), french)
    for pattern, french in (
        (r"^Missing option\b", "Option manquante"),
        (r"^Missing argument\b", "Argument manquant"),
        (r"^Missing parameter\b", "Paramètre manquant"),
        (r"^No such option: ", "Option inconnue : "),
        (r"\(Possible options: ([^)]*)\)", r"(options proches : \1)"),
        (r"^No such command ", "Commande inconnue : "),
        (r"^Missing command\.", "Commande manquante."),
        (r"^Invalid value for (.+?): ", r"Valeur invalide pour \1 : "),
        (r"^Invalid value: ", "Valeur invalide : "),
        (r"^Got unexpected extra argument\(s\) ", "Argument(s) en trop "),
        (r"Option ('[^']*') requires an argument\.", r"L'option \1 attend une valeur."),
        (r"Option ('[^']*') requires (\d+) arguments\.", r"L'option \1 attend \2 valeurs."),
        (r"Option ('[^']*') does not take a value\.", r"L'option \1 ne prend pas de valeur."),
        (r"Value (.+) is not a valid (int|float)\.", r"\1 n'est pas un nombre valide."),
        (r"Value (.+) is not a valid (\w+)\.", r"\1 n'est pas une valeur valide."),
        (r"(.+) is not a valid (integer|float)\.", r"\1 n'est pas un nombre valide."),
        (r"(.+) is not one of (.+)\.", r"\1 n'est pas parmi \2."),
        (r"(.+) is not in the range (.+)\.", r"\1 n'est pas dans l'intervalle \2."),
        (r"\b(?:File|file) ('.*') does not exist\.", r"fichier \1 introuvable."),
        (r"\b(?:Directory|directory) ('.*') does not exist\.", r"dossier \1 introuvable."),
        (r"\b(?:Path|path) ('.*') does not exist\.", r"chemin \1 introuvable."),
        (r"(?:File|file|Path|path) ('.*') is a directory\.", r"\1 est un dossier."),
        (r"(?:Directory|directory|Path|path) ('.*') is a file\.", r"\1 est un fichier."),
        (r"(?:File|file|Path|path) ('.*') is not readable\.", r"\1 : lecture impossible."),
        (r"(?:File|file|Path|path) ('.*') is not writable\.", r"\1 : écriture impossible."),
        (r"Input should be a valid integer[^.]*", "un nombre entier est attendu"),
        (r"Input should be a valid number[^.]*", "un nombre est attendu"),
        (r"\bDid you mean ", "Vouliez-vous dire "),
    )
)


def french_error(message: str) -> str:
    """A Click usage-error message in French (unknown parts kept as they are)."""
    for pattern, french in _ERRORS:
        message = pattern.sub(french, message)
    return message


#: French value names by Python type, for the help's value column.
_VALUE_NAMES = {"str": "TEXTE", "int": "NOMBRE", "float": "NOMBRE", "Path": "FICHIER"}


def value_name(param: Any) -> str | None:
    """The French value name shown after an option or argument (none for a switch)."""
    if param.metavar is not None:
        return str(param.metavar)
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    desc = param.type_descriptor
    if desc.is_choice and desc.choices:
        name = "|".join(str(getattr(c, "value", c)) for c in desc.choices)
    elif desc.is_path:
        name = "FICHIER"
    else:
        inner = desc.annotation
        if desc.is_list:
            inner = getattr(inner, "__args__", (str,))[0]
        name = _VALUE_NAMES.get(getattr(inner, "__name__", ""), "VALEUR")
    return f"{name}…" if desc.is_list or param.nargs != 1 else name


#: French names of the commands' arguments (their Python names otherwise show).
ARGUMENT_NAMES = {
    "file": "FICHIER",
    "files": "FICHIERS",
    "out_dir": "DOSSIER",
    "username": "IDENTIFIANT",
    "intervention_id": "NUMERO",
    "req_id": "NUMERO",
    "status": "STATUT",
}


def _argument_name(self: Any) -> str:
    if self.metavar is not None:
        return str(self.metavar)
    return ARGUMENT_NAMES.get(self.name, str(self.name).upper())


def _translate(message: str) -> str:
    return _GETTEXT.get(message, message)


def _display_type_rich(self: Any, ctx: Any) -> str | None:
    return value_name(self)


def _usage(text: str) -> str:
    text = re.sub(r"^(\s*)Usage: ", r"\1Utilisation : ", text)
    return text.replace("COMMAND [ARGS]...", "COMMANDE [ARGUMENTS]…")


def install() -> None:
    """French texts in Typer (idempotent)."""
    import typer.core
    import typer.rich_utils as ru
    from rich.panel import Panel
    from typer import _click as click_core

    typer.core._ = _translate
    ru.DEPRECATED_STRING = "(obsolète) "
    ru.DEFAULT_STRING = "[défaut : {}]"
    ru.ENVVAR_STRING = "[variable : {}]"
    ru.REQUIRED_LONG_STRING = "[obligatoire]"
    ru.ARGUMENTS_PANEL_TITLE = "Arguments"
    ru.OPTIONS_PANEL_TITLE = "Options"
    ru.COMMANDS_PANEL_TITLE = "Commandes"
    ru.ERRORS_PANEL_TITLE = "Erreur"
    ru.ABORTED_TEXT = "Interrompu."
    ru.RICH_HELP = "Aide : [blue]{command_path} {help_option}[/]"
    highlights = [h for h in ru.highlighter.highlights if "usage" not in h]
    ru.highlighter.highlights = [*highlights, r"(?P<usage>Utilisation : )"]  # type: ignore[misc]
    command = click_core.core.Command
    if getattr(command, "_gltd_french", False):
        return
    command._gltd_french = True  # type: ignore[attr-defined]

    get_usage = command.get_usage
    get_help_option = command.get_help_option

    def french_usage(self: Any, ctx: Any) -> str:
        return _usage(get_usage(self, ctx))

    def french_help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def french_format_error(self: Any) -> None:
        if self.__class__.__name__ == "NoArgsIsHelpError":
            return
        console = ru._get_rich_console(stderr=True)
        ctx = getattr(self, "ctx", None)
        if ctx is not None:
            console.print(ru.highlighter(ctx.get_usage()), style=ru.STYLE_USAGE_COMMAND)
            if ctx.command.get_help_option(ctx) is not None:
                console.print(
                    ru.RICH_HELP.format(
                        command_path=ru.escape(ctx.command_path),
                        help_option=ctx.help_option_names[0],
                    ),
                    style=ru.STYLE_ERRORS_SUGGESTION,
                )
        console.print(
            Panel(
                ru.highlighter(french_error(self.format_message())),
                border_style=ru.STYLE_ERRORS_PANEL_BORDER,
                title=ru.ERRORS_PANEL_TITLE,
                title_align=ru.ALIGN_ERRORS_PANEL,
            )
        )

    command.get_usage = french_usage  # type: ignore[method-assign]
    command.get_help_option = french_help_option  # type: ignore[method-assign]
    ru.rich_format_error = french_format_error
    typer.core.TyperOption.display_type_rich = _display_type_rich  # type: ignore[method-assign]
    # An argument's French name (``FICHIER``) already says what it takes.
    typer.core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]
    typer.core.TyperArgument.display_name_raw = property(_argument_name)  # type: ignore[assignment,method-assign]
