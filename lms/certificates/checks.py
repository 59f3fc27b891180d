"""Checking certificates by code: one at a time, or many (CSV upload and API), one query."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select

from lms.certificates.codes import grouped, normalise
from lms.certificates.credentials import check_signature
from lms.certificates.status_list import listed_status
from lms.extensions import db
from lms.models import Certificate
from lms.spreadsheets import spreadsheet_cell

MAX_CSV_ROWS = 1000


@dataclass(frozen=True)
class CheckResult:
    row: int  # 1-based row in the upload or position in the request
    submitted: str
    status: str  # valid | revoked | withdrawn | not_found | invalid_code
    message: str
    certificate: Certificate | None = None

    def as_json(self) -> dict:
        data = {"submitted": self.submitted, "status": self.status, "message": self.message}
        if self.certificate is not None:
            data["certificate"] = certificate_json(self.certificate)
        return data


def certificate_json(certificate: Certificate) -> dict:
    """What anyone may know about a certificate; nothing personal once it is withdrawn.

    A revocation outranks a withdrawal: a revoked certificate whose learner later deleted their
    account still says "revoked", with the date and the admin's reason, and when it was withdrawn.
    ``status_list`` is what the issuer's published revocation list says, read the way a verifier
    reads it, so the API and the list cannot be seen to disagree.
    """
    data = {
        "code": grouped(certificate.code),
        "status": certificate.status,
        "course": certificate.course_title,
        "issuer": certificate.issuer_name,
        "issued_on": certificate.issued_at.date().isoformat(),
    }
    if certificate.revoked_at is not None:
        data.update(
            revoked_on=certificate.revoked_at.date().isoformat(),
            revoked_reason=certificate.revoked_reason,
        )
    if certificate.withdrawn:
        data["withdrawn_on"] = certificate.withdrawn_at.date().isoformat()
    else:
        data.update(
            learner_name=certificate.learner_name,
            completed_on=certificate.completed_at.date().isoformat(),
            skills=certificate.skills,
            signature_valid=check_signature(certificate.credential_jwt).valid,
        )
    listed = listed_status(certificate)
    if listed is not None:
        data["status_list"] = {
            "credential": listed.credential,
            "index": listed.index,
            "revoked": listed.revoked,
        }
    return data


MESSAGES = {
    "valid": "Valid certificate.",
    "revoked": "This certificate has been revoked.",
    "withdrawn": "This certificate was withdrawn: the learner deleted their account.",
    "not_found": "No certificate has this code.",
    "invalid_code": "This is not a certificate code: it needs 28 letters and numbers.",
}
REVOKED_AND_WITHDRAWN = (
    "This certificate has been revoked. The learner has also deleted their account."
)


def check_codes(submitted: list[str]) -> list[CheckResult]:
    """Look up every code with one query; each entry gets its own result, never an exception."""
    canonical = [normalise(text) for text in submitted]
    wanted = {code for code in canonical if code}
    found = {
        c.code: c
        for c in (
            db.session.scalars(select(Certificate).where(Certificate.code.in_(wanted)))
            if wanted
            else []
        )
    }
    results = []
    for row, (text, code) in enumerate(zip(submitted, canonical, strict=True), start=1):
        if code is None:
            status, certificate = "invalid_code", None
        elif code not in found:
            status, certificate = "not_found", None
        else:
            certificate = found[code]
            status = certificate.status
        message = MESSAGES[status]
        if status == "revoked" and certificate.withdrawn:
            message = REVOKED_AND_WITHDRAWN
        results.append(CheckResult(row, text, status, message, certificate))
    return results


class CsvError(ValueError):
    """The upload as a whole cannot be read; the message says why."""


def codes_from_csv(data: bytes) -> list[str]:
    """The first column of each non-empty row; a header row naming a code column is skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvError(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."
        ) from None
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise CsvError(f"The file is not valid CSV ({exc}).") from None
    if rows and normalise(rows[0][0]) is None and "code" in rows[0][0].lower():
        rows = rows[1:]
    if not rows:
        raise CsvError("The file has no codes in it.")
    if len(rows) > MAX_CSV_ROWS:
        raise CsvError(f"The file has {len(rows)} rows; check at most {MAX_CSV_ROWS} at a time.")
    return [row[0].strip() for row in rows]


def results_csv(results: list[CheckResult]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "code", "status", "learner", "course", "completed", "message"])
    for r in results:
        c = r.certificate
        showable = c is not None and not c.withdrawn
        writer.writerow(
            spreadsheet_cell(value)
            for value in [
                r.row,
                r.submitted,
                r.status,
                c.learner_name if showable else "",
                c.course_title if c is not None else "",
                c.completed_at.date().isoformat() if showable else "",
                r.message,
            ]
        )
    return out.getvalue()
