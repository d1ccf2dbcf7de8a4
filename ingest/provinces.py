"""The 63 provinces and centrally-run cities of Viet Nam (before the 2025 merger), as the seed
documents name them; matching is done on folded text, so "Thanh Hoá" finds "Thanh Hóa"."""

from __future__ import annotations

from ingest.text import fold

CENTRAL_CITIES = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ")

PROVINCES = CENTRAL_CITIES + (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Dương",
    "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk", "Đắk Nông", "Điện Biên",
    "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Tĩnh", "Hải Dương", "Hậu Giang", "Hòa Bình",
    "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An",
    "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam",
    "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên",
    "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)



def key(name: str) -> str:
    """Folded, dash-free, single-spaced: the form names are compared in."""
    return " ".join(fold(name).replace("-", " ").replace("–", " ").split())


_BY_KEY = {key(p): p for p in PROVINCES}


def province_named(name: str) -> str | None:
    """The canonical province name for a spelling of it, e.g. "THANH HOÁ" -> "Thanh Hóa"."""
    return _BY_KEY.get(key(name))
