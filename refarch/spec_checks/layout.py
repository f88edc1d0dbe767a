"""Which files a check run looks at, for one major version of one specs directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from refarch.spec_checks.findings import CheckAborted

__all__ = ["COMMON_DIR", "SpecLayout"]

#: Shared components live in ``openapi/common/``; every other folder is a service.
COMMON_DIR = "common"


@dataclass(frozen=True)
class SpecLayout:
    root: Path
    version: str

    @classmethod
    def open(cls, root: Path, version: str) -> SpecLayout:
        """The layout, or ``CheckAborted`` when there is nothing to check."""
        if not root.is_dir():
            raise CheckAborted(f"specs directory {root} does not exist (pass --specs-dir)")
        layout = cls(root.resolve(), version)
        if not layout.service_documents():
            raise CheckAborted(
                f"no OpenAPI documents for version {version} under {layout.openapi_dir} "
                f"(expected openapi/<service>/{version}.yaml)"
            )
        return layout

    @property
    def openapi_dir(self) -> Path:
        return self.root / "openapi"

    @property
    def requirements_path(self) -> Path:
        return self.root / "requirements" / f"{self.version}.yaml"

    @property
    def asyncapi_path(self) -> Path:
        """The event contract of this version; optional (a specs tree may have no events)."""
        return self.root / "asyncapi" / f"{self.version}.yaml"

    @property
    def sql_dir(self) -> Path:
        return self.root / "sql"

    def service_documents(self) -> dict[str, Path]:
        """Service name -> its OpenAPI document for this version, in name order."""
        if not self.openapi_dir.is_dir():
            return {}
        return {
            folder.name: folder / f"{self.version}.yaml"
            for folder in sorted(self.openapi_dir.iterdir())
            if folder.is_dir()
            and folder.name != COMMON_DIR
            and (folder / f"{self.version}.yaml").is_file()
        }

    def common_documents(self) -> list[Path]:
        return sorted((self.openapi_dir / COMMON_DIR).glob("*.yaml"))

    def sql_files(self) -> list[Path]:
        return sorted(self.sql_dir.glob("*/*.sql")) if self.sql_dir.is_dir() else []
