"""Errors become words here, and nowhere else in the UI.

A table ``message_key`` → (title, text), built with Qt's translation system
so that the English ``.qm`` applies. Keys are the ``message_key`` of
:class:`signer_app.errors.SignerAppError` subclasses (the same as the CLI's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from signer_app.errors import SignerAppError

if TYPE_CHECKING:
    from signer_app.certificates import UsabilityReason
    from signer_app.token.pin import PinStatus
    from signer_app.token.probe import ProbeResult

__all__ = [
    "message_for",
    "pin_status_text",
    "probe_text",
    "reason_text",
    "table",
]


def table() -> dict[str, tuple[str, str]]:
    """Every known message key with its (title, text) in the current language."""
    portal = QCoreApplication.translate("Messages", "Portal")
    card = QCoreApplication.translate("Messages", "Kart")
    document = QCoreApplication.translate("Messages", "Belge")
    return {
        "error": (
            QCoreApplication.translate("Messages", "Hata"),
            QCoreApplication.translate("Messages", "Beklenmeyen bir hata oluştu."),
        ),
        "portal.error": (
            portal,
            QCoreApplication.translate("Messages", "Portal isteği başarısız oldu."),
        ),
        "portal.invalid_credentials": (
            QCoreApplication.translate("Messages", "Giriş yapılamadı"),
            QCoreApplication.translate("Messages", "Kullanıcı adı veya parola yanlış."),
        ),
        "portal.account_locked": (
            QCoreApplication.translate("Messages", "Hesap kilitli"),
            QCoreApplication.translate(
                "Messages",
                "Çok sayıda hatalı deneme nedeniyle hesabınız geçici olarak kilitlendi. "
                "Bir süre sonra yeniden deneyin veya entegratörünüzle görüşün.",
            ),
        ),
        "portal.session_expired": (
            portal,
            QCoreApplication.translate("Messages", "Oturumun süresi doldu; yeniden giriş yapın."),
        ),
        "portal.not_found": (
            portal,
            QCoreApplication.translate("Messages", "İstenen kayıt portalda bulunamadı."),
        ),
        "portal.not_awaiting_signature": (
            portal,
            QCoreApplication.translate("Messages", "Bu hizmet artık imza beklemiyor."),
        ),
        "portal.document_rejected": (
            document,
            QCoreApplication.translate("Messages", "Portal imzalı belgeyi kabul etmedi."),
        ),
        "portal.wrong_document": (
            document,
            QCoreApplication.translate("Messages", "Portal belgenin değiştiğini bildirdi."),
        ),
        "portal.wrong_signer": (
            document,
            QCoreApplication.translate(
                "Messages", "Portal imzalayan sertifikayı bu firmaya ait bulmadı."
            ),
        ),
        "portal.payload_too_large": (
            document,
            QCoreApplication.translate("Messages", "İmzalı belge portal için çok büyük."),
        ),
        "portal.document_not_ready": (
            document,
            QCoreApplication.translate("Messages", "Belge henüz hazır değil; biraz sonra deneyin."),
        ),
        "portal.already_signed": (
            document,
            QCoreApplication.translate("Messages", "Bu belge daha önce imzalanmış."),
        ),
        "portal.idempotency_conflict": (
            document,
            QCoreApplication.translate("Messages", "Bu belge farklı bir içerikle yüklenmiş."),
        ),
        "portal.unavailable": (
            QCoreApplication.translate("Messages", "Portal yanıt vermiyor"),
            QCoreApplication.translate(
                "Messages", "Portal şu anda hizmet veremiyor; biraz sonra yeniden deneyin."
            ),
        ),
        "portal.internal_error": (
            QCoreApplication.translate("Messages", "Portal hatası"),
            QCoreApplication.translate(
                "Messages", "Portalda bir hata oluştu; biraz sonra yeniden deneyin."
            ),
        ),
        "portal.timeout": (
            QCoreApplication.translate("Messages", "Portal yanıt vermiyor"),
            QCoreApplication.translate(
                "Messages",
                "Portal zamanında yanıt vermedi; bağlantınızı kontrol edip yeniden deneyin.",
            ),
        ),
        "portal.connection": (
            QCoreApplication.translate("Messages", "Bağlantı kurulamadı"),
            QCoreApplication.translate(
                "Messages",
                "Portala ulaşılamadı. Bağlantı adresini ve internet bağlantınızı "
                "kontrol edip yeniden deneyin.",
            ),
        ),
        "portal.tls": (
            QCoreApplication.translate("Messages", "Güvenli bağlantı kurulamadı"),
            QCoreApplication.translate(
                "Messages",
                "Sunucunun sertifikası doğrulanamadı; bağlantı güvenli değil. "
                "Adresi kontrol edin, sorun sürerse bilgi işlem biriminize başvurun.",
            ),
        ),
        "portal.protocol": (
            portal,
            QCoreApplication.translate("Messages", "Portalın yanıtı anlaşılamadı."),
        ),
        "portal.insecure": (
            QCoreApplication.translate("Messages", "Güvensiz adres"),
            QCoreApplication.translate("Messages", "Portal adresi https:// ile başlamalıdır."),
        ),
        "portal.untrusted": (
            QCoreApplication.translate("Messages", "Güvenilmeyen sunucu"),
            QCoreApplication.translate("Messages", "Bu adres güvenilen portallar arasında değil."),
        ),
        "portal.contract": (
            QCoreApplication.translate("Messages", "Sözleşme dosyası"),
            QCoreApplication.translate(
                "Messages", "Sözleşme dosyası bu firmaya veya bu hizmete ait değil."
            ),
        ),
        "portal.credential_store": (
            QCoreApplication.translate("Messages", "Parola saklanamadı"),
            QCoreApplication.translate(
                "Messages", "Parola bu bilgisayarın anahtar zincirine kaydedilemedi."
            ),
        ),
        "token.error": (card, QCoreApplication.translate("Messages", "Kart hatası.")),
        "token.module_load": (
            card,
            QCoreApplication.translate("Messages", "Kart yazılımı yüklenemedi."),
        ),
        "token.module_failed": (
            card,
            QCoreApplication.translate("Messages", "Kart yazılımı beklenmedik bir hata verdi."),
        ),
        "token.not_present": (card, QCoreApplication.translate("Messages", "Okuyucuda kart yok.")),
        "token.removed": (
            card,
            QCoreApplication.translate(
                "Messages", "Kart çıkarıldı veya yanıt vermiyor; kartı takıp yeniden deneyin."
            ),
        ),
        "token.host_crashed": (
            card,
            QCoreApplication.translate(
                "Messages",
                "Kart yazılımı beklenmedik biçimde durdu; yeniden başlatıldı, tekrar deneyin.",
            ),
        ),
        "token.timeout": (
            card,
            QCoreApplication.translate(
                "Messages", "Kart zamanında yanıt vermedi; kart yazılımı yeniden başlatıldı."
            ),
        ),
        "token.login_required": (
            card,
            QCoreApplication.translate("Messages", "Önce kartı PIN ile açın."),
        ),
        "token.key_not_found": (
            card,
            QCoreApplication.translate("Messages", "Kartta bu sertifikaya ait özel anahtar yok."),
        ),
        "token.mechanism": (
            card,
            QCoreApplication.translate(
                "Messages", "Kart gereken imza algoritmasını desteklemiyor."
            ),
        ),
        "token.pin": (
            QCoreApplication.translate("Messages", "PIN"),
            QCoreApplication.translate("Messages", "PIN kabul edilmedi."),
        ),
        "token.pin_incorrect": (
            QCoreApplication.translate("Messages", "PIN yanlış"),
            QCoreApplication.translate("Messages", "Girdiğiniz PIN yanlış."),
        ),
        "token.pin_locked": (
            QCoreApplication.translate("Messages", "PIN bloke"),
            QCoreApplication.translate(
                "Messages",
                "PIN bloke oldu. Kartı veren kurumun (Kamu SM) PIN bloke çözme "
                "adımlarını izleyin: PUK kodunuzla kart yönetim yazılımında blokeyi kaldırın.",
            ),
        ),
        "token.pin_length": (
            QCoreApplication.translate("Messages", "PIN"),
            QCoreApplication.translate("Messages", "PIN uzunluğu geçersiz."),
        ),
        "token.pin_pad_cancelled": (
            QCoreApplication.translate("Messages", "PIN"),
            QCoreApplication.translate("Messages", "PIN girişi iptal edildi."),
        ),
        "token.pin_final_try": (
            QCoreApplication.translate("Messages", "Son PIN deneme hakkı"),
            QCoreApplication.translate(
                "Messages", "Kartın son PIN deneme hakkı kaldı; devam etmek için onay gerekir."
            ),
        ),
        "token.pin_pad_unavailable": (
            QCoreApplication.translate("Messages", "PIN"),
            QCoreApplication.translate(
                "Messages", "Okuyucunun tuş takımı yok; PIN'i yazarak girin."
            ),
        ),
        "envelope.error": (
            document,
            QCoreApplication.translate("Messages", "Belge kabul edilemiyor."),
        ),
        "envelope.certificate_not_usable": (
            document,
            QCoreApplication.translate("Messages", "Seçilen sertifika bu belgeyi imzalayamaz."),
        ),
        "envelope.too_large": (
            document,
            QCoreApplication.translate("Messages", "Belge çok büyük."),
        ),
        "envelope.too_deep": (
            document,
            QCoreApplication.translate("Messages", "Belge çok derin iç içe."),
        ),
        "envelope.rules": (
            document,
            QCoreApplication.translate("Messages", "Belge GİB kurallarına uymuyor."),
        ),
        "envelope.signature": (
            document,
            QCoreApplication.translate("Messages", "Entegratör imzası geçersiz."),
        ),
        "envelope.signature_missing": (
            document,
            QCoreApplication.translate("Messages", "Belgede entegratör imzası yok."),
        ),
        "envelope.signature_invalid": (
            document,
            QCoreApplication.translate("Messages", "Entegratör imzası geçersiz."),
        ),
        "envelope.digest": (
            document,
            QCoreApplication.translate("Messages", "Belge imzalandıktan sonra değiştirilmiş."),
        ),
        "envelope.xml_rejected": (
            document,
            QCoreApplication.translate(
                "Messages", "Belge bu programın okuyabildiği bir XML değil."
            ),
        ),
        "envelope.not_well_formed": (
            document,
            QCoreApplication.translate("Messages", "Belge bozuk (geçerli XML değil)."),
        ),
        "envelope.doctype": (
            document,
            QCoreApplication.translate(
                "Messages",
                "Belge DOCTYPE veya varlık (entity) tanımı içeriyor; GİB belgeleri içermez.",
            ),
        ),
        "envelope.not_standalone": (
            document,
            QCoreApplication.translate("Messages", "Zarftaki belge tek başına okunamıyor."),
        ),
        "envelope.unsupported": (
            document,
            QCoreApplication.translate(
                "Messages", "Bu bir GİB kullanıcı belgesi veya kullanıcı zarfı değil."
            ),
        ),
        "envelope.signature_structure": (
            document,
            QCoreApplication.translate(
                "Messages", "Entegratör imzası GİB'in öngördüğü yapıda değil."
            ),
        ),
        "envelope.duplicate_id": (
            document,
            QCoreApplication.translate(
                "Messages",
                "Belgede aynı kimlik (Id) iki öğede kullanılmış; imza sarmalama girişimi "
                "olabilir. Belge imzalanmayacak.",
            ),
        ),
        "envelope.algorithm": (
            document,
            QCoreApplication.translate(
                "Messages", "Entegratör imzası GİB'in kullanmadığı bir algoritma kullanıyor."
            ),
        ),
        "envelope.certificate_mismatch": (
            document,
            QCoreApplication.translate(
                "Messages",
                "Entegratör imzasındaki sertifika, imzalı özelliklerde adı geçen sertifika değil.",
            ),
        ),
        "envelope.signer_mismatch": (
            document,
            QCoreApplication.translate(
                "Messages", "Belgeyi imzalayan, entegratörünüz olması gereken taraf değil."
            ),
        ),
        "envelope.countersign_refused": (
            document,
            QCoreApplication.translate("Messages", "Bu belge imzalanamaz."),
        ),
        "certificate.invalid": (
            card,
            QCoreApplication.translate("Messages", "Karttaki sertifika okunamadı."),
        ),
        "config.invalid": (
            QCoreApplication.translate("Messages", "Ayarlar"),
            QCoreApplication.translate(
                "Messages",
                "Ayarlarda geçersiz bir değer var; bilgi işlem biriminize başvurun.",
            ),
        ),
        "portal.invalid_request": (
            portal,
            QCoreApplication.translate("Messages", "Portal isteği geri çevirdi (geçersiz istek)."),
        ),
        "portal.unsupported_media_type": (
            portal,
            QCoreApplication.translate("Messages", "Portal gönderilen belge türünü kabul etmedi."),
        ),
        "diagnose.write_failed": (
            QCoreApplication.translate("Messages", "Destek paketi"),
            QCoreApplication.translate(
                "Messages", "Destek paketi yazılamadı; başka bir klasör seçin."
            ),
        ),
        "cancelled": (
            QCoreApplication.translate("Messages", "İptal"),
            QCoreApplication.translate("Messages", "İşlem iptal edildi."),
        ),
    }


def message_for(error: BaseException) -> tuple[str, str]:
    """The (title, text) to show for ``error``; unknown keys fall back to their family."""
    known = table()
    key = error.message_key if isinstance(error, SignerAppError) else "error"
    if key in known:
        return known[key]
    family = f"{key.split('.')[0]}.error"
    return known.get(family, known["error"])


def pin_status_text(status: PinStatus) -> str:
    """The PIN state in words."""
    from signer_app.token.pin import PinStatus  # noqa: PLC0415 - after the first paint

    return {
        PinStatus.OK: QCoreApplication.translate("Messages", "PIN kullanılabilir."),
        PinStatus.WRONG_BEFORE: QCoreApplication.translate(
            "Messages", "Bu kartta daha önce yanlış PIN girildi."
        ),
        PinStatus.FINAL_TRY: QCoreApplication.translate(
            "Messages", "Dikkat: son PIN deneme hakkınız kaldı. Yanlış girilirse kart bloke olur."
        ),
        PinStatus.LOCKED: QCoreApplication.translate("Messages", "PIN bloke."),
    }[status]


def reason_text(reason: UsabilityReason) -> str:
    """Why a certificate cannot sign, in words."""
    return {
        "expired": QCoreApplication.translate("Messages", "süresi dolmuş"),
        "not_yet_valid": QCoreApplication.translate("Messages", "henüz geçerli değil"),
        "no_digital_signature": QCoreApplication.translate(
            "Messages", "imza anahtar kullanımı yok"
        ),
        "encryption_certificate": QCoreApplication.translate("Messages", "şifreleme sertifikası"),
        "not_a_seal_or_signature": QCoreApplication.translate(
            "Messages", "mali mühür veya nitelikli e-imza değil"
        ),
        "seal_required": QCoreApplication.translate(
            "Messages", "tüzel kişi için mali mühür gerekir"
        ),
        "tax_id_mismatch": QCoreApplication.translate("Messages", "VKN/TCKN müşteriyle uyuşmuyor"),
        "no_tax_id": QCoreApplication.translate("Messages", "sertifikada VKN/TCKN yok"),
    }[reason.value]


def probe_text(result: ProbeResult) -> str:
    """What trying a card library found, in words."""
    from signer_app.token.probe import ProbeOutcome  # noqa: PLC0415 - after the first paint

    texts = {
        ProbeOutcome.LOADED: QCoreApplication.translate("Messages", "Yüklendi"),
        ProbeOutcome.FILE_MISSING: QCoreApplication.translate("Messages", "Dosya yok"),
        ProbeOutcome.NOT_PKCS11: QCoreApplication.translate(
            "Messages", "PKCS#11 kütüphanesi değil"
        ),
        ProbeOutcome.MISSING_DEPENDENCY: QCoreApplication.translate(
            "Messages",
            "Kütüphanenin ihtiyaç duyduğu bir dosya eksik; kart yazılımını yeniden kurun",
        ),
        ProbeOutcome.WRONG_ARCHITECTURE: QCoreApplication.translate(
            "Messages", "Mimari uyumsuz (32/64 bit)"
        ),
        ProbeOutcome.PERMISSION_DENIED: QCoreApplication.translate(
            "Messages", "Dosya okunamıyor (izin yok)"
        ),
        ProbeOutcome.INIT_REJECTED: QCoreApplication.translate(
            "Messages", "Kütüphane başlatılamadı"
        ),
        ProbeOutcome.NO_SLOTS: QCoreApplication.translate("Messages", "Kart okuyucu bulunamadı"),
        ProbeOutcome.NO_TOKEN: QCoreApplication.translate("Messages", "Okuyucuda kart yok"),
        ProbeOutcome.FAILED: QCoreApplication.translate(
            "Messages", "Kart yazılımı çöktü veya yanıt vermedi"
        ),
    }
    text = texts[result.outcome]
    if result.outcome is ProbeOutcome.LOADED:
        text = QCoreApplication.translate("Messages", "Yüklendi: {0} kart, {1} sertifika").format(
            result.token_count, result.certificate_count
        )
    return text
