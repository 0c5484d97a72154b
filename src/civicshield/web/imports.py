"""The Import page (analysts): send one or many exports, the format guessed as the command line
does; a form export's columns mapped once per form (and remembered); each file's progress and
its result on the page."""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from civicshield.app import CivicShield
from civicshield.domain.errors import CivicShieldError, InvalidInputError, NotFoundError
from civicshield.domain.forms import FIELDS, MULTI, FormMapping
from civicshield.domain.models import ChannelKind, Role, User
from civicshield.services.triage import ImportResult, UploadPlan
from civicshield.web.auth import Session, needs, service
from civicshield.web.render import page

router = APIRouter(prefix="/import")
ANALYST = needs(Role.ANALYST)
ANALYST_FORM = needs(Role.ANALYST, form=True)
log = logging.getLogger("civicshield.web")
#: Most import jobs remembered in this process (the oldest finished ones are forgotten).
KEEP_JOBS = 50


@dataclass
class FileJob:
    """One file of an import: where it stands, in words, and its result."""

    token: str
    name: str
    size: int
    state: str = "waiting"  # waiting, mapping, reading, done, refused
    plan: UploadPlan | None = None
    read: int = 0
    expected: int | None = None
    result: ImportResult | None = None
    problem: str = ""
    mapped_with: str = ""


@dataclass
class ImportJob:
    """Files sent together, with the options chosen for them."""

    id: str
    owner: str
    files: list[FileJob]
    principal: str | None = None
    account: str = ""
    personal: bool = False
    skip_bad: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def running(self) -> bool:
        """True while a file waits its turn or is being read."""
        return any(f.state in {"waiting", "reading"} for f in self.files)


JOBS: OrderedDict[str, ImportJob] = OrderedDict()


def _job(job_id: str, session: Session) -> ImportJob:
    found = JOBS.get(job_id)
    if found is None or (found.owner != session.user.username and
                         session.user.role is not Role.ADMIN):
        raise NotFoundError("that import is no longer shown here; see the queue for what "
                            "was imported")
    return found


def _remember(job: ImportJob) -> None:
    JOBS[job.id] = job
    while len(JOBS) > KEEP_JOBS:
        oldest = next((k for k, j in JOBS.items() if not j.running), None)
        if oldest is None:
            break
        JOBS.pop(oldest)


@router.get("", response_class=HTMLResponse)
def import_page(request: Request, session: Annotated[Session, ANALYST]) -> HTMLResponse:
    """The upload form, and this person's latest imports."""
    svc = service(request)
    mine = [j for j in reversed(JOBS.values()) if j.owner == session.user.username][:10]
    return page(request, "import.html", session=session, jobs=mine,
                principals=svc.principals.all(),
                formats=sorted(svc.context.importers.values(), key=lambda i: i.fmt))


@router.post("")
async def upload(request: Request, session: Annotated[Session, ANALYST_FORM],
                 files: Annotated[list[UploadFile] | None, File()] = None,
                 principal: Annotated[str, Form()] = "", account: Annotated[str, Form()] = "",
                 personal: Annotated[str, Form()] = "", skip_bad: Annotated[str, Form()] = "",
                 ) -> RedirectResponse:
    """Hold the files sent, work out what each is, and start importing those that need no
    mapping; the job page shows the rest."""
    svc = service(request)
    chosen = [f for f in files or [] if f.filename]
    if not chosen:
        raise InvalidInputError("choose one or more files to import")
    job = ImportJob(secrets.token_hex(8), session.user.username, [],
                    principal=principal or None, account=account.strip()[:200],
                    personal=bool(personal), skip_bad=bool(skip_bad))
    for upload_file in chosen:
        held = await run_in_threadpool(svc.triage.hold_upload, session.user,
                                       upload_file.filename or "upload", upload_file.file)
        item = FileJob(held.token, held.name, held.size)
        try:
            item.plan = await run_in_threadpool(svc.triage.plan_upload, session.user,
                                                held.token)
        except CivicShieldError as exc:
            item.state, item.problem = "refused", str(exc)
            svc.triage.drop_upload(session.user, held.token)
        else:
            if item.plan.needs_mapping and not item.plan.saved_as:
                item.state = "mapping"
            elif item.plan.needs_mapping:
                item.mapped_with = item.plan.saved_as
        job.files.append(item)
    _remember(job)
    _start(svc, session.user, job)
    return RedirectResponse(f"/import/jobs/{job.id}", status_code=303)


def _start(svc: CivicShield, user: User, job: ImportJob) -> None:
    """Read the job's waiting files one after another, off the request."""
    threading.Thread(target=_run, args=(svc, user, job), daemon=True).start()


def _run(svc: CivicShield, user: User, job: ImportJob) -> None:
    with job.lock:  # one reader per job; the store lets one import run at a time anyway
        for item in job.files:
            if item.state != "waiting" or item.plan is None:
                continue
            item.state = "reading"
            try:
                item.expected = svc.triage.estimate_records(user, item.token)

                def progress(read: int, item: FileJob = item) -> None:
                    item.read = read

                mapping = item.plan.mapping if item.plan.needs_mapping else None
                item.result = svc.triage.import_upload(
                    user, item.token, mapping=mapping,
                    remember_as=item.mapped_with if mapping is not None else "",
                    principal=job.principal, account=job.account,
                    kind=ChannelKind.PERSONAL if job.personal else ChannelKind.OFFICIAL,
                    skip_bad=job.skip_bad, progress=progress)
                item.state = "done"
            except CivicShieldError as exc:
                item.state, item.problem = "refused", str(exc)
            except Exception:  # said on the page; the details go to the log
                log.exception("import of an uploaded file failed")
                item.state = "refused"
                item.problem = f"{item.name}: could not be imported (see the server log)"


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str,
             session: Annotated[Session, ANALYST]) -> HTMLResponse:
    """Each file of an import: waiting, being read (with progress), mapped, done or refused."""
    return page(request, "import_job.html", session=session, job=_job(job_id, session))


def _item(job: ImportJob, index: int) -> FileJob:
    if not 0 <= index < len(job.files):
        raise NotFoundError("no such file in this import")
    return job.files[index]


@router.get("/jobs/{job_id}/{index:int}/map", response_class=HTMLResponse)
def map_page(request: Request, job_id: str, index: int,
             session: Annotated[Session, ANALYST]) -> HTMLResponse:
    """The file's headers and first rows, with a column chosen for each field."""
    job = _job(job_id, session)
    item = _item(job, index)
    if item.plan is None or not item.plan.needs_mapping:
        raise InvalidInputError(f"{item.name} needs no column mapping")
    return page(request, "import_map.html", session=session, job=job, index=index, item=item,
                plan=item.plan, fields=FIELDS, multi=MULTI, error="")


@router.post("/jobs/{job_id}/{index:int}/map", response_model=None)
async def save_map(request: Request, job_id: str, index: int,
                   session: Annotated[Session, ANALYST_FORM]) -> HTMLResponse | RedirectResponse:
    """Use the chosen columns (remembered for this form under the name given) and import."""
    job = _job(job_id, session)
    item = _item(job, index)
    if item.plan is None or not item.plan.needs_mapping or item.state not in {"mapping",
                                                                              "refused"}:
        raise InvalidInputError(f"{item.name} needs no column mapping now")
    form = await request.form()
    columns = {name: tuple(str(v) for v in form.getlist(f"col_{name}") if str(v))
               for name in FIELDS}
    mapping = FormMapping({k: v for k, v in columns.items() if v},
                          day_first=form.get("day_first") == "yes")
    problems = mapping.problems(list(item.plan.headers))
    remember = str(form.get("source_name", "")).strip()
    if problems:
        return page(request, "import_map.html", session=session, job=job, index=index,
                    item=item, plan=_replan(item.plan, mapping, remember), fields=FIELDS,
                    multi=MULTI, error="; ".join(problems), status_code=400)
    item.plan = _replan(item.plan, mapping, remember)
    item.mapped_with, item.state, item.problem = remember, "waiting", ""
    _start(service(request), session.user, job)
    return RedirectResponse(f"/import/jobs/{job.id}", status_code=303)


def _replan(plan: UploadPlan, mapping: FormMapping, name: str) -> UploadPlan:
    return UploadPlan(plan.upload, plan.fmt, plan.headers, plan.rows, plan.product, mapping,
                      name or plan.saved_as)


@router.post("/jobs/{job_id}/{index:int}/retry")
def retry(request: Request, job_id: str, index: int,
          session: Annotated[Session, ANALYST_FORM]) -> RedirectResponse:
    """Try a refused file again, setting malformed rows aside this time."""
    job = _job(job_id, session)
    item = _item(job, index)
    if item.state == "refused" and item.plan is not None:
        job.skip_bad, item.state, item.problem = True, "waiting", ""
        _start(service(request), session.user, job)
    return RedirectResponse(f"/import/jobs/{job.id}", status_code=303)


@router.post("/jobs/{job_id}/{index:int}/drop")
def drop(request: Request, job_id: str, index: int,
         session: Annotated[Session, ANALYST_FORM]) -> RedirectResponse:
    """Do not import this file after all; it is forgotten."""
    job = _job(job_id, session)
    item = _item(job, index)
    if item.state in {"mapping", "refused"}:
        service(request).triage.drop_upload(session.user, item.token)
        item.state, item.problem = "refused", f"{item.name}: not imported (you cancelled it)"
    return RedirectResponse(f"/import/jobs/{job.id}", status_code=303)
