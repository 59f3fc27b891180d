"""The certificate as a QR code (SVG), a PDF and an "Add to LinkedIn" link."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
from fpdf import FPDF

from lms.certificates.codes import grouped
from lms.models import Certificate


def qr_svg(url: str) -> str:
    """An SVG QR code for ``url``, with a title for screen readers."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out,
        kind="svg",
        scale=4,
        border=2,
        xmldecl=False,
        svgns=True,
        title="QR code linking to this certificate's verification page",
        nl=False,
    )
    return out.getvalue().decode().replace("<svg ", '<svg role="img" ', 1)


def linkedin_url(certificate: Certificate, page_url: str) -> str:
    """LinkedIn's documented "Add to profile" link for a certification."""
    return "https://www.linkedin.com/profile/add?" + urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": certificate.course_title,
            "organizationName": certificate.issuer_name,
            "issueYear": certificate.issued_at.year,
            "issueMonth": certificate.issued_at.month,
            "certUrl": page_url,
            "certId": grouped(certificate.code),
        }
    )


def _latin1(text: str) -> str:
    # The PDF's core fonts cover Latin-1; anything else is replaced rather than dropped silently.
    return (
        text.replace("\u2019", "'")
        .replace("\u2013", "-")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def certificate_pdf(certificate: Certificate, page_url: str) -> bytes:
    """An A4 landscape PDF with every certified field and the QR code to verify it."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_latin1(f"{certificate.course_title} - certificate of completion"))
    pdf.set_author(certificate.issuer_name)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(11, 79, 138)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font("Helvetica", "B", 14)
    pdf.set_text_color(11, 79, 138)
    pdf.set_xy(20, 22)
    pdf.cell(0, 8, _latin1(certificate.issuer_name.upper()))
    pdf.set_text_color(27, 31, 41)
    pdf.set_font("Helvetica", "", 16)
    pdf.set_xy(20, 45)
    pdf.cell(0, 10, "This certifies that")
    pdf.set_font("Helvetica", "B", 30)
    pdf.set_xy(20, 58)
    pdf.cell(0, 14, _latin1(certificate.learner_name or ""))
    pdf.set_font("Helvetica", "", 16)
    pdf.set_xy(20, 80)
    pdf.cell(0, 10, "has completed the course")
    pdf.set_font("Helvetica", "B", 22)
    pdf.set_xy(20, 92)
    pdf.multi_cell(190, 11, _latin1(certificate.course_title))
    pdf.set_font("Helvetica", "", 12)
    skills = ", ".join(
        s["name"] + (f" (SFIA {s['sfia']})" if s.get("sfia") else "") for s in certificate.skills
    )
    pdf.set_xy(20, 125)
    pdf.multi_cell(190, 7, _latin1(f"Skills: {skills}"))
    completed = certificate.completed_at
    pdf.set_xy(20, 160)
    pdf.cell(0, 7, f"Completed on {completed.day} {completed:%B %Y}")
    pdf.set_xy(20, 168)
    pdf.cell(0, 7, f"Certificate code: {grouped(certificate.code)}")
    pdf.set_xy(20, 176)
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 7, _latin1(f"Verify at {page_url}"))
    qr_png = io.BytesIO()
    segno.make(page_url, error="m").save(qr_png, kind="png", scale=8, border=2)
    pdf.image(qr_png, x=222, y=130, w=55)
    return bytes(pdf.output())
