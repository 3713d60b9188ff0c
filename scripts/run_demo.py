"""Start the demo: web server, Celery worker and Celery beat on the embedded broker. Ctrl-C stops all."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDRESS = os.environ.get("ATTUNE_DEMO_ADDRESS", "127.0.0.1:8000")


def main() -> int:
    python = sys.executable
    celery = str(Path(python).with_name("celery"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    (ROOT / "var" / "broker" / "queue").mkdir(parents=True, exist_ok=True)
    (ROOT / "var" / "broker" / "processed").mkdir(parents=True, exist_ok=True)
    commands = {
        "web": [python, "manage.py", "runserver", ADDRESS, "--noreload"],
        "worker": [
            celery,
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
        ],
        "beat": [celery, "-A", "config", "beat", "--loglevel=INFO"],
    }
    processes = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in commands.items()}
    print(
        f"\nAttune is running at http://{ADDRESS}/\n"
        "  trainee / attune-demo      instructor / attune-demo      admin / attune-demo\n"
        f"  Emails are written to {os.environ.get('DJANGO_EMAIL_FILE_PATH', ROOT / 'var' / 'mail')}\n"
        "  Press Ctrl-C to stop the web server, the worker and beat.\n",
        flush=True,
    )
    stopping = []
    # Ctrl-C reaches the children too; note it so their exits read as a stop, not a crash.
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None and not stopping:
                    print(f"{name} stopped with exit code {process.returncode}; stopping the rest.", flush=True)
                    return process.returncode or 1
            time.sleep(0.5)
        print("\nStopping the web server, the worker and beat...", flush=True)
        return 0
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
