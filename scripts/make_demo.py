"""Rebuild the bundled demo files in src/civicshield/demo/data (deterministic)."""

from __future__ import annotations

from pathlib import Path

from civicshield.demo.generate import write_demo

if __name__ == "__main__":
    folder = Path(__file__).resolve().parent.parent / "src" / "civicshield" / "demo" / "data"
    count = write_demo(folder)
    print(f"wrote {count} demo messages to {folder}")
