"""Whether the package itself runs a leak's two sides on different goroutines.

A leak is a race only when a writer of the map runs while a caller still reads the map it
was handed. The lock says that the author expects concurrent callers, not who they are. The
evidence deepcopy asks for by default is the package's own: the leak hands the map to a
goroutine it starts, or a goroutine the package starts (a goroutine region of
gofacts.goroutines: the `go` statement's function and, two calls down, what that calls) runs
the leaking read, or a write of the same map under the same lock; or an HTTP handler of the
package runs one of them (gofacts.handlers: net/http serves each request on a goroutine of its
own, so a handler is concurrent with itself and with every goroutine). Without it, the race needs
goroutines that callers outside the package start (a library's exported API, hooks run by
another package, a registry filled at start-up, a test fake driven from one goroutine),
which gomapfix cannot see; such leaks are reported only with the option exported-callers.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod.context import PackageContext
from gofacts.goroutines import Region, regions_of
from gofacts.handlers import serving_handler
from gofacts.launches import starting_functions
from gofacts.signatures import holder_name
from gofacts.types import PackageTypes
from transforms.deepcopy.guarded import GuardedWrites, writes_of
from transforms.deepcopy.leaks import CAPTURED_BY_GOROUTINE, TO_GOROUTINE, Leak


def concurrency(leak: Leak, writes: GuardedWrites, pkg: PackageContext, types: PackageTypes) -> str:
    """How a goroutine the package starts, or an HTTP handler of the package, takes part in
    the leak, as a clause for its message (`the goroutine that Server.Start starts writes it in
    Server.add`); "" when none does."""
    if leak.route.startswith((TO_GOROUTINE, CAPTURED_BY_GOROUTINE)):
        return f"{holder_name(leak.at)} hands it to a goroutine it starts"
    regions = regions_of(pkg, types)
    reading = regions.containing(leak.file, leak.at) if regions.regions else []
    if reading:
        return f"the goroutine that {starting_functions(pkg, _roots(reading))} runs this read"
    sites = writes_of(writes, leak.held, leak.at)
    for f, node in sites if regions.regions else []:
        writing = regions.containing(f, node)
        if writing:
            started = starting_functions(pkg, _roots(writing))
            return f"the goroutine that {started} writes it in {holder_name(node)}"
    handler = serving_handler(leak.at, leak.file, pkg)
    if handler is not None:
        return f"{_handler(handler)} runs this read ({PER_REQUEST})"
    for f, node in sites:
        handler = serving_handler(node, f, pkg)
        if handler is not None:
            return f"{_handler(handler)} writes it in {holder_name(node)} ({PER_REQUEST})"
    return ""


PER_REQUEST = "the server runs each request on a goroutine of its own"


def _handler(func: Node) -> str:
    """`the HTTP handler Server.serveStats`, or `an HTTP handler in collectAPIStats` for a literal."""
    if func.type == "func_literal":
        return f"an HTTP handler in {holder_name(func)}"
    return f"the HTTP handler {holder_name(func.child_by_field_name('body') or func)}"


def _roots(regions: list[Region]) -> list[tuple[str, int]]:
    return sorted({r for region in regions for r in region.roots})
