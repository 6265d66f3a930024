"""Single-key prompts for the interactive review, built on questionary.

A review asks one question per fix and reads one key press, like `git add
-p`: no Enter. questionary has no single-key multiple-choice prompt, so
key_question builds one the way questionary's own confirm() is built (a
prompt_toolkit PromptSession with its own key bindings, wrapped in a
questionary.Question), which keeps questionary's styling and its input/
output parameters: tests pass a prompt_toolkit pipe input and DummyOutput.

The review logic sees only a Prompt: a function from (message, keys) to the
key pressed. Ctrl-C raises KeyboardInterrupt and Ctrl-D raises EOFError, so
the caller decides what an interruption means.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import questionary
from prompt_toolkit import PromptSession
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from questionary.styles import merge_styles_default

Prompt = Callable[[str, Sequence[str]], str]
"""Ask message and return the key pressed, one of keys ("\\t" is Tab).

Raises KeyboardInterrupt on Ctrl-C and EOFError on Ctrl-D or end of input.
"""

TAB = "\t"
_KEY_NAMES = {TAB: "tab"}


def key_question(
    message: str, keys: Sequence[str], labels: Mapping[str, str] | None = None, **kwargs: Any
) -> questionary.Question:
    """A questionary Question that ends at the first press of one of keys.

    keys are single characters ("A" and "a" differ) or TAB. Other keys are
    ignored. The answer is the key; after it, the prompt line shows
    labels[key] (default: the key). kwargs go to prompt_toolkit's
    PromptSession (input=, output=, style=...).
    """
    labels = labels or {TAB: "Tab"}
    answer: list[str] = []

    def tokens() -> FormattedText:
        out = [("class:qmark", "?"), ("class:question", f" {message} ")]
        if answer:
            out.append(("class:answer", labels.get(answer[0], answer[0])))
        return FormattedText(out)

    bindings = KeyBindings()

    @bindings.add(Keys.ControlC, eager=True)
    def _interrupt(event: KeyPressEvent) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    @bindings.add(Keys.ControlD, eager=True)
    def _eof(event: KeyPressEvent) -> None:
        event.app.exit(exception=EOFError, style="class:aborting")

    for key in keys:
        _bind(bindings, key, answer)

    @bindings.add(Keys.Any)
    @bindings.add(Keys.Enter)
    def _ignore(event: KeyPressEvent) -> None:
        """Any other key does nothing (and inserts no text)."""

    style = merge_styles_default([kwargs.pop("style", None)])
    return questionary.Question(PromptSession(tokens, key_bindings=bindings, style=style, **kwargs).app)


def _bind(bindings: KeyBindings, key: str, answer: list[str]) -> None:
    @bindings.add(_KEY_NAMES.get(key, key), eager=True)
    def _press(event: KeyPressEvent) -> None:
        if not answer:
            answer.append(key)
            event.app.exit(result=key)


def questionary_prompt(labels: Mapping[str, str] | None = None, **kwargs: Any) -> Prompt:
    """The Prompt of a real session: key_question(...).unsafe_ask() for every question.

    kwargs (input=, output=) are passed to every question, so one pipe input
    can drive a whole session in tests.
    """

    def ask(message: str, keys: Sequence[str]) -> str:
        return key_question(message, keys, labels, **kwargs).unsafe_ask()

    return ask
