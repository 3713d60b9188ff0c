"""The README names what it takes to move the demo, and points only at files inside the repository."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_readme_names_both_variables_that_move_the_demo_with_their_defaults():
    readme = (ROOT / "README.md").read_text()
    demo = (ROOT / "scripts" / "run_demo.py").read_text()
    default = re.search(r'"ATTUNE_DEMO_ADDRESS", "([^"]+)"', demo).group(1)
    assert "| `ATTUNE_DEMO_ADDRESS` |" in readme and f"`{default}`" in readme
    assert "ATTUNE_DEMO_ADDRESS=127.0.0.1:8010 ATTUNE_SITE_URL=http://127.0.0.1:8010 make run" in readme


def test_documents_link_only_to_files_inside_the_repository():
    for doc in DOCS:
        text = doc.read_text()
        for target in re.findall(r"\]\(([^)#\s]+)", text):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            resolved = (doc.parent / target).resolve()
            assert resolved.is_relative_to(ROOT) and resolved.exists(), (doc.name, target)
        for outside in ("../shared", "DESIGN.md", "CONTENT.md", "content-review.md"):
            assert outside not in text, (doc.name, outside)
