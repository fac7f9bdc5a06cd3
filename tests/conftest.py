import shutil
from importlib import resources
from pathlib import Path

import pytest


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A writable copy of the built-in catalog directory (to corrupt in bad-input tests)."""
    src = Path(str(resources.files("bmdlab.catalog") / "data"))
    dst = tmp_path / "catalog"
    shutil.copytree(src, dst)
    return dst
