"""Words of the command line, Turkish first and English second.

Errors become words here (for the CLI) and in the UI's message table, and
nowhere else. Keys are the ``message_key`` of errors and the values of the
token layer's enums.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["Language", "text"]

Language = Literal["tr", "en"]

_TEXTS: Final[dict[str, tuple[str, str]]] = {
    # Probe outcomes
    "probe.loaded": ("Yüklendi", "Loaded"),
    "probe.file_missing": ("Dosya yok", "File not found"),
    "probe.not_pkcs11": ("PKCS#11 kütüphanesi değil", "Not a PKCS#11 library"),
    "probe.missing_dependency": (
        "Kütüphanenin ihtiyaç duyduğu bir dosya eksik{dep}; kart yazılımını yeniden kurun",
        "A file the library needs is missing{dep}; reinstall the card software",
    ),
    "probe.wrong_architecture": (
        "Mimari uyumsuz: kütüphane {lib}, bu program {prog}",
        "Wrong architecture: the library is {lib}, this program is {prog}",
    ),
    "probe.permission_denied": ("Dosya okunamıyor (izin yok)", "The file cannot be read"),
    "probe.init_rejected": (
        "Kütüphane başlatılamadı ({detail})",
        "The library refused to initialise ({detail})",
    ),
    "probe.no_slots": ("Kart okuyucu bulunamadı", "No card reader found"),
    "probe.no_token": ("Okuyucuda kart yok", "No card in the reader"),
    "probe.failed": (
        "Kart yazılımı çöktü veya yanıt vermedi ({detail})",
        "The card software crashed or did not answer ({detail})",
    ),
    # PIN states
    "pin.ok": ("PIN kullanılabilir", "PIN ready"),
    "pin.wrong_before": ("daha önce yanlış PIN girildi", "a wrong PIN was entered before"),
    "pin.final_try": ("son deneme hakkı kaldı", "one try left"),
    "pin.locked": ("PIN bloke", "PIN locked"),
    # Certificate kinds
    "kind.mali_muhur": ("Mali mühür", "Fiscal seal"),
    "kind.qualified_personal": ("Nitelikli e-imza", "Qualified e-signature"),
    "kind.encryption": ("Şifreleme sertifikası", "Encryption certificate"),
    "kind.other": ("Diğer", "Other"),
    # Usability
    "usable": ("İmza için kullanılabilir", "Usable for signing"),
    "unusable": ("Kullanılamaz", "Not usable"),
    "reason.expired": ("süresi dolmuş", "expired"),
    "reason.not_yet_valid": ("henüz geçerli değil", "not valid yet"),
    "reason.no_digital_signature": ("imza anahtar kullanımı yok", "no digitalSignature key usage"),
    "reason.encryption_certificate": ("şifreleme sertifikası", "an encryption certificate"),
    "reason.not_a_seal_or_signature": (
        "mali mühür veya nitelikli e-imza değil",
        "neither a fiscal seal nor a qualified e-signature",
    ),
    "reason.seal_required": (
        "tüzel kişi için mali mühür gerekir",
        "a company must sign with its fiscal seal",
    ),
    "reason.tax_id_mismatch": ("VKN/TCKN müşteriyle uyuşmuyor", "VKN/TCKN is not the customer's"),
    "reason.no_tax_id": ("sertifikada VKN/TCKN yok", "the certificate has no VKN/TCKN"),
    # Report lines
    "module": ("Kart kütüphanesi", "Card library"),
    "outcome": ("Sonuç", "Outcome"),
    "slot": ("Okuyucu", "Reader"),
    "token": ("Kart", "Card"),
    "no_card": ("kart takılı değil", "no card inserted"),
    "not_initialised": ("kart başlatılmamış (boş)", "card not initialised (empty)"),
    "serial": ("seri no", "serial"),
    "certificates": ("Sertifikalar", "Certificates"),
    "no_certificates": ("sertifika yok", "no certificates"),
    "valid": ("geçerlilik", "valid"),
    "pinpad": ("PIN okuyucunun tuş takımından girilir", "PIN is entered on the reader"),
    "missing_modules": ("Bulunamayan bilinen kütüphaneler", "Known libraries not installed"),
    "summary": (
        "{modules} kütüphane denendi, {tokens} kart, {certs} sertifika bulundu",
        "{modules} libraries tried, {tokens} cards and {certs} certificates found",
    ),
    "customer": ("Müşteri VKN/TCKN", "Customer VKN/TCKN"),
    # Errors
    "error": ("Hata", "Error"),
    "config.invalid": ("Ayarlar geçersiz", "The settings are invalid"),
    "token.error": ("Kart hatası", "Card error"),
    "token.module_load": ("Kart yazılımı yüklenemedi", "The card software could not be loaded"),
    "token.module_failed": ("Kart yazılımı beklenmedik bir hata verdi", "The card software failed"),
    "token.not_present": ("Okuyucuda kart yok", "No card in the reader"),
    "token.removed": (
        "Kart çıkarıldı veya yanıt vermiyor; kartı takıp yeniden deneyin",
        "The card was removed or stopped answering; insert it and try again",
    ),
    "token.host_crashed": (
        "Kart yazılımı beklenmedik biçimde durdu; yeniden başlatıldı, tekrar deneyin",
        "The card software stopped unexpectedly; it was restarted, try again",
    ),
    "token.timeout": (
        "Kart zamanında yanıt vermedi; kart yazılımı yeniden başlatıldı",
        "The card did not answer in time; its software was restarted",
    ),
    "token.login_required": ("Önce kartı PIN ile açın", "Open the card with its PIN first"),
    "token.key_not_found": (
        "Kartta bu sertifikaya ait özel anahtar yok",
        "The card holds no private key for this certificate",
    ),
    "token.mechanism": ("Kart gereken imza algoritmasını desteklemiyor", "Unsupported algorithm"),
    "token.pin": ("PIN kabul edilmedi", "The PIN was not accepted"),
    "token.pin_incorrect": ("PIN yanlış", "Wrong PIN"),
    "token.pin_locked": (
        "PIN bloke oldu; kartı veren kurumun PIN bloke çözme adımlarını izleyin",
        "The PIN is locked; follow the card issuer's unblock steps",
    ),
    "token.pin_length": ("PIN uzunluğu geçersiz", "The PIN has an invalid length"),
    "token.pin_pad_cancelled": ("PIN girişi iptal edildi", "PIN entry was cancelled"),
    "token.pin_pad_unavailable": (
        "Okuyucunun tuş takımı yok; PIN'i yazarak girin",
        "The reader has no PIN-pad; type the PIN",
    ),
    "token.pin_final_try": ("Son PIN deneme hakkı", "Last PIN try"),
    "certificate.invalid": ("Sertifika okunamadı", "The certificate cannot be read"),
}


def text(key: str, language: Language = "tr", **values: object) -> str:
    """The text for ``key`` in ``language``, formatted with ``values``.

    An unknown key yields the key itself, so a missing text is visible
    rather than fatal.
    """
    pair = _TEXTS.get(key)
    if pair is None:
        return key
    template = pair[0] if language == "tr" else pair[1]
    return template.format(**values) if values else template
