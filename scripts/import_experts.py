"""Import an Excel roster into the 专家库: `python scripts/import_experts.py FILE --region CODE`.

The same as `python -m backend import-experts`, for offices that run the scripts folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["import-experts", *sys.argv[1:]]))
