"""The registry of gomapfix transforms and detection rules.

Explicit on purpose: a transform exists when it is listed here, in the order
in which its findings are reported and its fixes are merged.
"""

from __future__ import annotations

from codemod.transform import Transform
from transforms.deepcopy.rule import DeepCopy
from transforms.keepalive.rule import KeepAlive
from transforms.map_to_c.rule import MapToC
from transforms.safemap.rule import SafeMapTransform
from transforms.wrap_inner_map.rule import WrapInnerMap

ALL: tuple[Transform, ...] = (KeepAlive(), DeepCopy(), WrapInnerMap(), SafeMapTransform(), MapToC())


def by_name() -> dict[str, Transform]:
    return {t.name: t for t in ALL}
