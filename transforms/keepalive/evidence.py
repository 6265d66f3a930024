"""Which functions a package runs as finalizers: a call inside one is the release itself."""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax
from codemod.context import PackageContext
from gofacts.signatures import base_type_name
from transforms.keepalive.cgo import calls_matching

_ALL_CALLS = "(call_expression) @c"


def finalizer_functions(pkg: PackageContext) -> set[tuple[str | None, str]]:
    """Functions passed by name to runtime.SetFinalizer: (type, method) for a method
    expression such as (*T).free, (None, name) for a top-level function."""
    out: set[tuple[str | None, str]] = set()
    for f in pkg.files_with(b"SetFinalizer"):
        for call in calls_matching(f.root, _ALL_CALLS):
            args = call.child_by_field_name("arguments")
            if not is_finalizer_call(call) or args is None or len(args.named_children) < 2:
                continue
            fin = syntax.unparen(args.named_children[1])
            if fin.type == "identifier":
                out.add((None, syntax.text(fin)))
            elif fin.type == "selector_expression":
                operand, field = fin.child_by_field_name("operand"), fin.child_by_field_name("field")
                name = base_type_name(syntax.text(syntax.unparen(operand))) if operand else None
                if name and field is not None:
                    out.add((name, syntax.text(field)))
    return out


def is_finalizer_call(call: Node) -> bool:
    """True for a call of runtime.SetFinalizer or runtime.AddCleanup (however runtime is named)."""
    fn = call.child_by_field_name("function")
    return fn is not None and syntax.text(fn).replace(" ", "").endswith(("SetFinalizer", "AddCleanup"))
