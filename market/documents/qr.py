"""QR codes for the documents: a PNG embedded as a data: URI, so the PDF needs no file or network."""

import base64
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_data_uri(text: str) -> str:
    """A ``data:image/png;base64,…`` QR code of ``text`` (error correction M, 4-module quiet zone)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
