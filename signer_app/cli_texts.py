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
    # Envelope layer
    "envelope.error": ("Belge kabul edilemiyor", "The document cannot be accepted"),
    "envelope.xml_rejected": (
        "Dosya okunabilen bir XML değil",
        "The file is not XML this program reads",
    ),
    "envelope.not_well_formed": (
        "Dosya bozuk (geçerli XML değil)",
        "The file is not well-formed XML",
    ),
    "envelope.doctype": (
        "Belge DOCTYPE veya varlık (entity) tanımı içeriyor; GİB belgeleri içermez",
        "The document declares a DOCTYPE or entities; GİB documents never do",
    ),
    "envelope.too_large": ("Belge çok büyük", "The document is too large"),
    "envelope.too_deep": ("Belge çok derin iç içe", "The document is nested too deeply"),
    "envelope.not_standalone": (
        "Zarftaki belge tek başına okunamıyor",
        "A document in the envelope cannot be read on its own",
    ),
    "envelope.unsupported": (
        "Bu bir GİB kullanıcı belgesi veya kullanıcı zarfı değil",
        "This is neither a GİB user-account document nor a user envelope",
    ),
    "envelope.rules": ("Belge GİB kurallarına uymuyor", "The document breaks GİB's rules"),
    "envelope.signature": ("İmza geçersiz", "A signature is invalid"),
    "envelope.signature_missing": (
        "Belgede entegratör imzası yok",
        "The integrator has not signed",
    ),
    "envelope.signature_structure": (
        "İmza GİB'in öngördüğü yapıda değil",
        "A signature is not structured as GİB prescribes",
    ),
    "envelope.duplicate_id": (
        "Aynı Id iki öğede kullanılmış (imza sarmalama girişimi olabilir)",
        "Two elements share an Id (possible signature wrapping)",
    ),
    "envelope.algorithm": (
        "İmza GİB'in kullanmadığı bir algoritma kullanıyor",
        "Unsupported algorithm",
    ),
    "envelope.digest": (
        "İmzalanan içerik imzadan sonra değiştirilmiş",
        "The signed content was changed after signing",
    ),
    "envelope.signature_invalid": (
        "İmza değeri doğrulanamadı",
        "The signature value does not verify",
    ),
    "envelope.certificate_mismatch": (
        "İmzadaki sertifika imzalı özelliklerde adı geçen sertifika değil",
        "The certificate is not the one the signed properties name",
    ),
    "envelope.signer_mismatch": (
        "İmzalayan olması gereken kişi değil",
        "Signed by the wrong party",
    ),
    "envelope.countersign_refused": ("Belge imzalanamaz", "The document cannot be counter-signed"),
    "envelope.certificate_not_usable": (
        "Seçilen sertifika bu müşteri adına imza atamaz",
        "The chosen certificate may not sign for this customer",
    ),
    "certificate.invalid": ("Sertifika okunamadı", "The certificate cannot be read"),
    # demo
    "demo.certificate": ("Sertifika", "Certificate"),
    "demo.open": ("açma", "opening"),
    "demo.close": ("kapatma", "closing"),
    "demo.success": (
        "{service} Hizmeti {operation}. Sonuç: Başarılı",
        "{service} service {operation}. Result: Success",
    ),
    "demo.failure": (
        "{service} Hizmeti {operation}. Sonuç: {reason}",
        "{service} service {operation}. Result: {reason}",
    ),
    "demo.status": ("{service}: {label}{gib}", "{service}: {label}{gib}"),
    "demo.receipts": ("Makbuzlar: {path}", "Receipts: {path}"),
    # verify / countersign reports
    "doc.open": ("Kullanıcı açma belgesi", "Account opening document"),
    "doc.close": ("Kullanıcı kapatma belgesi", "Account closing document"),
    "doc.service": ("Hizmet", "Service"),
    "doc.option_code": ("kullanıcı seçenek kodu", "option code"),
    "doc.unknown_service": ("bilinmeyen hizmet", "unknown service"),
    "doc.integrator": ("Entegratör VKN/TCKN (LogicalID)", "Integrator VKN/TCKN (LogicalID)"),
    "doc.customer": ("Müşteri", "Customer"),
    "doc.accounts": ("Hesaplar", "Accounts"),
    "doc.created": ("Oluşturma zamanı", "Created"),
    "doc.rules_ok": ("GİB kuralları: uygun", "GİB rules: passed"),
    "doc.rules_failed": ("GİB kuralları: {count} bulgu", "GİB rules: {count} findings"),
    "sig.main": ("Entegratör imzası", "Integrator signature"),
    "sig.counter": ("Müşteri imzası (seri imza)", "Customer signature (counter-signature)"),
    "sig.absent": ("yok", "absent"),
    "sig.valid": ("geçerli", "valid"),
    "sig.invalid": ("GEÇERSİZ", "INVALID"),
    "sig.signed_by": ("imzalayan", "signed by"),
    "sig.expected": ("beklenen", "expected"),
    "sig.matches": ("uyuyor", "matches"),
    "sig.mismatch": ("UYMUYOR", "DOES NOT MATCH"),
    "sig.structure": ("İmzalar incelenemedi", "The signatures could not be examined"),
    "envelope.header": ("Zarf", "Envelope"),
    "envelope.sender": ("Gönderen", "Sender"),
    "envelope.receiver": ("Alıcı", "Receiver"),
    "envelope.document": ("Belge {n}", "Document {n}"),
    "result.valid": ("Sonuç: GEÇERLİ", "Result: VALID"),
    "result.invalid": ("Sonuç: GEÇERSİZ", "Result: INVALID"),
    "cs.pin_prompt": ("{label} kartının PIN'i: ", "PIN of card {label}: "),
    "cs.pinpad": (
        "PIN'i kart okuyucunun tuş takımından girin...",
        "Enter the PIN on the card reader's keypad...",
    ),
    "cs.final_try": (
        "DİKKAT: son PIN deneme hakkı; yanlış PIN kartı kilitler. Devam için 'evet' yazın: ",
        "WARNING: last PIN try. A wrong PIN locks the card. Type 'yes' to continue: ",
    ),
    "cs.confirm_word": ("evet", "yes"),
    "cs.cancelled": ("İptal edildi", "Cancelled"),
    "cs.no_certificate": (
        "Bu müşteri ({customer}) adına imza atabilecek bir sertifika bulunamadı",
        "No certificate that may sign for this customer ({customer}) was found",
    ),
    "cs.using": ("Kullanılan sertifika", "Using certificate"),
    "cs.done": (
        "Seri imza eklendi ve iki imza da doğrulandı: {out}",
        "Counter-signature added and both signatures verified: {out}",
    ),
    "cs.exists": (
        "{out} zaten var; üzerine yazmak için --force kullanın",
        "{out} exists; use --force to overwrite it",
    ),
    # diagnose
    "diagnose.write_failed": (
        "Destek paketi yazılamadı; başka bir klasör seçin",
        "The support bundle could not be written; choose another folder",
    ),
    "diag.running": (
        "Tanılama yapılıyor (kart kütüphaneleri, portal, günlük)...",
        "Running diagnostics (card libraries, portal, log)...",
    ),
    "diag.written": ("Destek paketi yazıldı: {path}", "Support bundle written: {path}"),
    "diag.no_problems": ("Sorun bulunmadı", "No problems found"),
    "diag.tls_interception_likely": (
        "TLS araya girme olası (kurumsal vekil sunucu/antivirüs)",
        "TLS interception (corporate proxy/antivirus) likely",
    ),
    "diag.tls_untrusted": (
        "Portalın TLS sertifikası güvenilir değil",
        "The portal's TLS certificate is not trusted",
    ),
    "diag.os_store_missing_root": (
        "İşletim sisteminin sertifika deposunda kök sertifika eksik",
        "The OS certificate store lacks the portal's root",
    ),
    "diag.tls_handshake_failed": ("TLS el sıkışması başarısız", "The TLS handshake failed"),
    "diag.dns_failed": ("Portal adı çözümlenemedi (DNS)", "The portal's name does not resolve"),
    "diag.connect_failed": ("Portala bağlanılamadı", "Cannot connect to the portal"),
    "diag.proxy_refused": ("Vekil sunucu bağlantıyı reddetti", "The proxy refused the connection"),
    "diag.http_failed": ("Portal yanıt vermedi", "The portal did not answer"),
    "diag.http_status": (
        "Portal beklenmeyen bir HTTP durumu döndürdü",
        "The portal answered an unexpected HTTP status",
    ),
    "diag.bad_url": ("Portal adresi geçersiz", "The portal URL is invalid"),
    "diag.clock_skew": (
        "Bilgisayarın saati portalınkinden farklı; saati düzeltin",
        "This computer's clock differs from the portal's; set the clock",
    ),
    "diag.portal_not_trusted_host": (
        "Portal adresi güvenilen sunucular listesinde değil",
        "The portal's host is not on the trusted list",
    ),
    "diag.no_card": ("Kullanılabilir kart bulunamadı", "No usable card was found"),
    "diag.pin_locked": ("Bir kartın PIN'i bloke", "A card's PIN is locked"),
    "diag.pin_final_try": ("Bir kartta son PIN deneme hakkı kaldı", "A card has one PIN try left"),
    "diag.settings_unreadable": (
        "Ayarlar okunamadı; yerleşik değerler kullanıldı",
        "The settings could not be read; built-in values were used",
    ),
    "diag.section_failed": (
        "Raporun bir bölümü toplanamadı: {section}",
        "A section of the report could not be collected: {section}",
    ),
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
