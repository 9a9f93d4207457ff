"""The schema package (models/schema/): every table class declared in one of its modules is
importable from the package itself, which is where the rest of the app imports them."""

from __future__ import annotations

import importlib
import pkgutil

import models.schema
from models.base import Base


def _declared_in_package() -> dict[str, type]:
    found: dict[str, type] = {}
    for module_info in pkgutil.iter_modules(models.schema.__path__):
        module = importlib.import_module(f"models.schema.{module_info.name}")
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, Base)
                and value.__module__ == module.__name__
            ):
                found[name] = value
    return found


def test_every_table_class_of_the_package_is_exported_from_it() -> None:
    declared = _declared_in_package()
    assert {"Customer", "Order", "Alert", "TeamMember"} <= declared.keys()
    missing = declared.keys() - set(models.schema.__all__)
    assert missing == set(), "export them from models/schema/__init__.py"
    for name, cls in declared.items():
        assert getattr(models.schema, name) is cls


def test_all_tables_names_every_table_of_the_package() -> None:
    tables = {cls.__table__.name for cls in _declared_in_package().values()}  # type: ignore[attr-defined]
    assert tables | {"sync_receipts"} <= set(models.schema.ALL_TABLES)
    for name in models.schema.__all__:
        assert hasattr(models.schema, name)
