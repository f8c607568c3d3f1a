<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="tr_TR">
<context>
    <name>ActivationWizard</name>
    <message>
        <source>Hizmet Aktivasyon</source>
        <extracomment>The window was painted once and every page is built.</extracomment>
        <translation>Service Activation</translation>
    </message>
    <message>
        <source>&lt;&lt; Önceki</source>
        <translation>&lt;&lt; Back</translation>
    </message>
    <message>
        <source>Sonraki &gt;&gt;</source>
        <translation>Next &gt;&gt;</translation>
    </message>
    <message>
        <source>Kapat</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Önceki</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>Sonraki</source>
        <translation>Next</translation>
    </message>
    <message>
        <source>İmzala</source>
        <translation>Sign</translation>
    </message>
    <message>
        <source>İmzalama sürerken yeni bir sözleşme dosyası açılamaz.</source>
        <translation>A new contract file cannot be opened while signing is in progress.</translation>
    </message>
    <message>
        <source>İmzalama sürüyor. Şimdi kapatırsanız işlem, imzalanmakta olan belgeden sonra durdurulur; imzalanan belgeler bir sonraki açılışta gönderilir. Kapatılsın mı?</source>
        <translation>Signing is in progress. If you close now, the batch stops after the document being signed; the signed documents are sent the next time the program starts. Close?</translation>
    </message>
</context>
<context>
    <name>CertificatePage</name>
    <message>
        <source>Sertifika Seçimi</source>
        <translation>Certificate Selection</translation>
    </message>
    <message>
        <source>Mali mühür sertifikanıza erişim yöntemini belirleyin ve imza sertifikanızı seçin.</source>
        <translation>Choose how to reach your e-seal (mali mühür) certificate and select your signing certificate.</translation>
    </message>
    <message>
        <source>Kart Kütüphanesi</source>
        <translation>Card Library</translation>
    </message>
    <message>
        <source>&amp;Gözat…</source>
        <translation>&amp;Browse…</translation>
    </message>
    <message>
        <source>Kart kütüphanesi dosyası seç</source>
        <translation>Choose a card library file</translation>
    </message>
    <message>
        <source>Kartımı &amp;bul</source>
        <translation>&amp;Find my card</translation>
    </message>
    <message>
        <source>Kartımı bul</source>
        <translation>Find my card</translation>
    </message>
    <message>
        <source>Slot</source>
        <translation>Slot</translation>
    </message>
    <message>
        <source>Kartı &amp;Aç</source>
        <translation>&amp;Open card</translation>
    </message>
    <message>
        <source>Kartı Aç</source>
        <translation>Open Card</translation>
    </message>
    <message>
        <source>Sertifikalar</source>
        <translation>Certificates</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Subject</translation>
    </message>
    <message>
        <source>Issuer</source>
        <translation>Issuer</translation>
    </message>
    <message>
        <source>Valid from</source>
        <translation>Valid from</translation>
    </message>
    <message>
        <source>Valid to</source>
        <translation>Valid to</translation>
    </message>
    <message>
        <source>Algorithm</source>
        <translation>Algorithm</translation>
    </message>
    <message>
        <source>Kullanılabilirlik</source>
        <translation>Usability</translation>
    </message>
    <message>
        <source>&amp;Seç</source>
        <translation>S&amp;elect</translation>
    </message>
    <message>
        <source>Seç</source>
        <translation>Select</translation>
    </message>
    <message>
        <source>Kart arama sonuçları</source>
        <translation>Card search results</translation>
    </message>
    <message>
        <source>Kart &amp;Kütüphanesi</source>
        <translation>Card &amp;library</translation>
    </message>
    <message>
        <source>S&amp;lot</source>
        <translation>&amp;Slot</translation>
    </message>
    <message>
        <source>Kart kütüphaneleri aranıyor…</source>
        <extracomment>Reader slots are read again this often to notice a card going in or out.</extracomment>
        <translation>Looking for card libraries…</translation>
    </message>
    <message>
        <source>Bu bilgisayarda bilinen bir kart kütüphanesi bulunamadı. Kart yazılımınızı kurun veya &quot;Gözat…&quot; ile kütüphane dosyasını seçin.</source>
        <translation>No known card library was found on this computer. Install your card software or choose the library file with &quot;Browse…&quot;.</translation>
    </message>
    <message>
        <source>Kart kütüphanesi seçin</source>
        <translation>Choose a card library</translation>
    </message>
    <message>
        <source>PKCS#11 kütüphanesi (*.dll *.so *.dylib);;Tüm dosyalar (*)</source>
        <translation>PKCS#11 library (*.dll *.so *.dylib);;All files (*)</translation>
    </message>
    <message>
        <source>Kartınız aranıyor…</source>
        <translation>Looking for your card…</translation>
    </message>
    <message>
        <source>Hiç kart kütüphanesi yok.</source>
        <translation>There is no card library.</translation>
    </message>
    <message>
        <source>Kart bulundu.</source>
        <translation>Card found.</translation>
    </message>
    <message>
        <source>Takılı bir kart bulunamadı.</source>
        <translation>No inserted card was found.</translation>
    </message>
    <message>
        <source>Okuyuculardaki kartlar değişti; kartı yeniden açın.</source>
        <translation>The cards in the readers changed; open the card again.</translation>
    </message>
    <message>
        <source>Okuyucu {0}</source>
        <translation>Reader {0}</translation>
    </message>
    <message>
        <source>{0} (kart yok)</source>
        <translation>{0} (no card)</translation>
    </message>
    <message>
        <source>Tüm okuyucular</source>
        <translation>All readers</translation>
    </message>
    <message>
        <source>Kart okunuyor…</source>
        <translation>Reading the card…</translation>
    </message>
    <message>
        <source>İmza için kullanılabilir</source>
        <translation>Usable for signing</translation>
    </message>
    <message>
        <source>Kullanılamaz: {0}</source>
        <translation>Not usable: {0}</translation>
    </message>
    <message>
        <source>Kartta sertifika bulunamadı.</source>
        <translation>No certificate was found on the card.</translation>
    </message>
    <message>
        <source>Kartta bu firma için kullanılabilir bir mali mühür sertifikası yok.</source>
        <translation>The card holds no usable e-seal certificate for this company.</translation>
    </message>
    <message>
        <source>Seçilen sertifika: {0}</source>
        <translation>Selected certificate: {0}</translation>
    </message>
</context>
<context>
    <name>ContractRefusal</name>
    <message>
        <source>Dosya okunamadı.</source>
        <translation>The file could not be read.</translation>
    </message>
    <message>
        <source>Dosya bir aktivasyon dosyası için fazla büyük.</source>
        <translation>The file is too large to be an activation file.</translation>
    </message>
    <message>
        <source>Dosya bir aktivasyon dosyası değil (biçim okunamadı).</source>
        <translation>The file is not an activation file (its format could not be read).</translation>
    </message>
    <message>
        <source>Dosyada aynı alan iki kez geçiyor.</source>
        <translation>A field appears twice in the file.</translation>
    </message>
    <message>
        <source>Dosyada tanınmayan bir alan var.</source>
        <translation>The file contains an unknown field.</translation>
    </message>
    <message>
        <source>Dosyada gerekli bir alan eksik.</source>
        <translation>A required field is missing from the file.</translation>
    </message>
    <message>
        <source>Dosyadaki bir alanın değeri geçersiz.</source>
        <translation>A field in the file has an invalid value.</translation>
    </message>
    <message>
        <source>Dosya bir hizmet aktivasyon sözleşmesi değil.</source>
        <translation>The file is not a service activation contract.</translation>
    </message>
    <message>
        <source>Dosya bu programın okuyamadığı bir sürümde; programı güncelleyin.</source>
        <translation>The file is in a version this program cannot read; update the program.</translation>
    </message>
    <message>
        <source>Dosyadaki portal adresi şifreli (https) değil.</source>
        <translation>The portal address in the file is not encrypted (https).</translation>
    </message>
    <message>
        <source>Dosyadaki portal adresi bu bilgisayarda güvenilir olarak tanımlı değil.</source>
        <translation>The portal address in the file is not trusted on this computer.</translation>
    </message>
    <message>
        <source>Dosyadaki portal adresi bu bilgisayarı gösteriyor.</source>
        <translation>The portal address in the file points to this computer.</translation>
    </message>
    <message>
        <source>Dosyanın geçerlilik süresi dolmuş; portaldan yeni bir dosya indirin.</source>
        <translation>The file has expired; download a new one from the portal.</translation>
    </message>
    <message>
        <source>Dosya henüz geçerli değil; bilgisayarınızın saatini kontrol edin.</source>
        <translation>The file is not valid yet; check your computer&apos;s clock.</translation>
    </message>
    <message>
        <source>Dosyada hiç hizmet yok.</source>
        <translation>The file names no service.</translation>
    </message>
    <message>
        <source>Dosyada bir hizmet iki kez geçiyor.</source>
        <translation>A service appears twice in the file.</translation>
    </message>
    <message>
        <source>Dosya başka bir firma için düzenlenmiş.</source>
        <translation>The file was issued for another company.</translation>
    </message>
    <message>
        <source>Portaldaki bir hizmet dosyada yer almıyor.</source>
        <translation>A service on the portal is not in the file.</translation>
    </message>
    <message>
        <source>Dosya kullanılamıyor.</source>
        <translation>The file cannot be used.</translation>
    </message>
    <message>
        <source>Aktivasyon dosyası açılamadı</source>
        <translation>Could not open the activation file</translation>
    </message>
    <message>
        <source>Sunucu: %1</source>
        <translation>Server: %1</translation>
    </message>
    <message>
        <source>Alan: %1</source>
        <translation>Field: %1</translation>
    </message>
    <message>
        <source>Ayrıntı: %1</source>
        <translation>Detail: %1</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <source>Giriş</source>
        <extracomment>(address, user) whose password came from the keyring.</extracomment>
        <translation>Login</translation>
    </message>
    <message>
        <source>Lütfen kullanıcı ve parola bilgilerinizi girin</source>
        <translation>Please enter your user name and password</translation>
    </message>
    <message>
        <source>Bağlantı Adresi</source>
        <translation>Connection Address</translation>
    </message>
    <message>
        <source>Kullanıcı</source>
        <translation>User</translation>
    </message>
    <message>
        <source>VKN (10 hane) veya TCKN (11 hane)</source>
        <translation>Tax ID (VKN, 10 digits) or national ID (TCKN, 11 digits)</translation>
    </message>
    <message>
        <source>Parola</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Beni &amp;hatırla</source>
        <translation>&amp;Remember me</translation>
    </message>
    <message>
        <source>Beni hatırla</source>
        <translation>Remember me</translation>
    </message>
    <message>
        <source>Hata</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>&amp;Bağlantı Adresi</source>
        <translation>Connection &amp;address</translation>
    </message>
    <message>
        <source>Kullanıcı Bilgileri</source>
        <translation>User Details</translation>
    </message>
    <message>
        <source>&amp;Kullanıcı</source>
        <translation>&amp;User</translation>
    </message>
    <message>
        <source>&amp;Parola</source>
        <translation>&amp;Password</translation>
    </message>
    <message>
        <source>Hatırlanan parola kullanılıyor; unutulması için “Beni hatırla”yı kaldırın.</source>
        <translation>Using the remembered password; untick “Remember me” to forget it.</translation>
    </message>
    <message>
        <source>Portala bağlanılıyor…</source>
        <translation>Connecting to the portal…</translation>
    </message>
    <message>
        <source>Giriş yapıldı: {0}</source>
        <translation>Logged in: {0}</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>Portal</source>
        <translation>Portal</translation>
    </message>
    <message>
        <source>Kart</source>
        <translation>Card</translation>
    </message>
    <message>
        <source>Belge</source>
        <translation>Document</translation>
    </message>
    <message>
        <source>Yüklendi</source>
        <translation>Loaded</translation>
    </message>
    <message>
        <source>Dosya yok</source>
        <translation>File not found</translation>
    </message>
    <message>
        <source>PKCS#11 kütüphanesi değil</source>
        <translation>Not a PKCS#11 library</translation>
    </message>
    <message>
        <source>Kütüphanenin ihtiyaç duyduğu bir dosya eksik; kart yazılımını yeniden kurun</source>
        <translation>A file the library needs is missing; reinstall the card software</translation>
    </message>
    <message>
        <source>Mimari uyumsuz (32/64 bit)</source>
        <translation>Architecture mismatch (32/64 bit)</translation>
    </message>
    <message>
        <source>Dosya okunamıyor (izin yok)</source>
        <translation>The file cannot be read (permission denied)</translation>
    </message>
    <message>
        <source>Kütüphane başlatılamadı</source>
        <translation>The library could not be initialised</translation>
    </message>
    <message>
        <source>Kart okuyucu bulunamadı</source>
        <translation>No card reader found</translation>
    </message>
    <message>
        <source>Okuyucuda kart yok</source>
        <translation>No card in the reader</translation>
    </message>
    <message>
        <source>Kart yazılımı çöktü veya yanıt vermedi</source>
        <translation>The card software crashed or did not respond</translation>
    </message>
    <message>
        <source>Hata</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Beklenmeyen bir hata oluştu.</source>
        <translation>An unexpected error occurred.</translation>
    </message>
    <message>
        <source>Portal isteği başarısız oldu.</source>
        <translation>The portal request failed.</translation>
    </message>
    <message>
        <source>Giriş yapılamadı</source>
        <translation>Login failed</translation>
    </message>
    <message>
        <source>Kullanıcı adı veya parola yanlış.</source>
        <translation>The user name or password is wrong.</translation>
    </message>
    <message>
        <source>Hesap kilitli</source>
        <translation>Account locked</translation>
    </message>
    <message>
        <source>Çok sayıda hatalı deneme nedeniyle hesabınız geçici olarak kilitlendi. Bir süre sonra yeniden deneyin veya entegratörünüzle görüşün.</source>
        <translation>Your account has been locked for a while after too many failed attempts. Try again later or contact your integrator.</translation>
    </message>
    <message>
        <source>Oturumun süresi doldu; yeniden giriş yapın.</source>
        <translation>The session has expired; log in again.</translation>
    </message>
    <message>
        <source>İstenen kayıt portalda bulunamadı.</source>
        <translation>The requested record was not found on the portal.</translation>
    </message>
    <message>
        <source>Bu hizmet artık imza beklemiyor.</source>
        <translation>This service is no longer waiting for a signature.</translation>
    </message>
    <message>
        <source>Portal imzalı belgeyi kabul etmedi.</source>
        <translation>The portal did not accept the signed document.</translation>
    </message>
    <message>
        <source>Portal belgenin değiştiğini bildirdi.</source>
        <translation>The portal reported that the document has changed.</translation>
    </message>
    <message>
        <source>Portal imzalayan sertifikayı bu firmaya ait bulmadı.</source>
        <translation>The portal found that the signing certificate does not belong to this company.</translation>
    </message>
    <message>
        <source>İmzalı belge portal için çok büyük.</source>
        <translation>The signed document is too large for the portal.</translation>
    </message>
    <message>
        <source>Belge henüz hazır değil; biraz sonra deneyin.</source>
        <translation>The document is not ready yet; try again shortly.</translation>
    </message>
    <message>
        <source>Bu belge daha önce imzalanmış.</source>
        <translation>This document has already been signed.</translation>
    </message>
    <message>
        <source>Bu belge farklı bir içerikle yüklenmiş.</source>
        <translation>This document was uploaded with different content.</translation>
    </message>
    <message>
        <source>Portal yanıt vermiyor</source>
        <translation>The portal does not respond</translation>
    </message>
    <message>
        <source>Portal şu anda hizmet veremiyor; biraz sonra yeniden deneyin.</source>
        <translation>The portal is unavailable right now; try again shortly.</translation>
    </message>
    <message>
        <source>Portal hatası</source>
        <translation>Portal error</translation>
    </message>
    <message>
        <source>Portalda bir hata oluştu; biraz sonra yeniden deneyin.</source>
        <translation>An error occurred on the portal; try again shortly.</translation>
    </message>
    <message>
        <source>Portal zamanında yanıt vermedi; bağlantınızı kontrol edip yeniden deneyin.</source>
        <translation>The portal did not answer in time; check your connection and try again.</translation>
    </message>
    <message>
        <source>Bağlantı kurulamadı</source>
        <translation>Could not connect</translation>
    </message>
    <message>
        <source>Portala ulaşılamadı. Bağlantı adresini ve internet bağlantınızı kontrol edip yeniden deneyin.</source>
        <translation>The portal could not be reached. Check the connection address and your internet connection, then try again.</translation>
    </message>
    <message>
        <source>Güvenli bağlantı kurulamadı</source>
        <translation>Could not establish a secure connection</translation>
    </message>
    <message>
        <source>Sunucunun sertifikası doğrulanamadı; bağlantı güvenli değil. Adresi kontrol edin, sorun sürerse bilgi işlem biriminize başvurun.</source>
        <translation>The server&apos;s certificate could not be verified; the connection is not secure. Check the address; if the problem persists, contact your IT department.</translation>
    </message>
    <message>
        <source>Portalın yanıtı anlaşılamadı.</source>
        <translation>The portal&apos;s answer could not be understood.</translation>
    </message>
    <message>
        <source>Güvensiz adres</source>
        <translation>Insecure address</translation>
    </message>
    <message>
        <source>Portal adresi https:// ile başlamalıdır.</source>
        <translation>The portal address must start with https://.</translation>
    </message>
    <message>
        <source>Güvenilmeyen sunucu</source>
        <translation>Untrusted server</translation>
    </message>
    <message>
        <source>Bu adres güvenilen portallar arasında değil.</source>
        <translation>This address is not among the trusted portals.</translation>
    </message>
    <message>
        <source>Sözleşme dosyası</source>
        <translation>Contract file</translation>
    </message>
    <message>
        <source>Sözleşme dosyası bu firmaya veya bu hizmete ait değil.</source>
        <translation>The contract file does not belong to this company or this service.</translation>
    </message>
    <message>
        <source>Parola saklanamadı</source>
        <translation>The password could not be stored</translation>
    </message>
    <message>
        <source>Parola bu bilgisayarın anahtar zincirine kaydedilemedi.</source>
        <translation>The password could not be saved in this computer&apos;s keychain.</translation>
    </message>
    <message>
        <source>Kart hatası.</source>
        <translation>Card error.</translation>
    </message>
    <message>
        <source>Kart yazılımı yüklenemedi.</source>
        <translation>The card software could not be loaded.</translation>
    </message>
    <message>
        <source>Kart yazılımı beklenmedik bir hata verdi.</source>
        <translation>The card software reported an unexpected error.</translation>
    </message>
    <message>
        <source>Okuyucuda kart yok.</source>
        <translation>There is no card in the reader.</translation>
    </message>
    <message>
        <source>Kart çıkarıldı veya yanıt vermiyor; kartı takıp yeniden deneyin.</source>
        <translation>The card was removed or does not respond; insert the card and try again.</translation>
    </message>
    <message>
        <source>Kart yazılımı beklenmedik biçimde durdu; yeniden başlatıldı, tekrar deneyin.</source>
        <translation>The card software stopped unexpectedly; it has been restarted, try again.</translation>
    </message>
    <message>
        <source>Kart zamanında yanıt vermedi; kart yazılımı yeniden başlatıldı.</source>
        <translation>The card did not answer in time; the card software has been restarted.</translation>
    </message>
    <message>
        <source>Önce kartı PIN ile açın.</source>
        <translation>Open the card with its PIN first.</translation>
    </message>
    <message>
        <source>Kartta bu sertifikaya ait özel anahtar yok.</source>
        <translation>The card holds no private key for this certificate.</translation>
    </message>
    <message>
        <source>Kart gereken imza algoritmasını desteklemiyor.</source>
        <translation>The card does not support the required signature algorithm.</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>PIN kabul edilmedi.</source>
        <translation>The PIN was not accepted.</translation>
    </message>
    <message>
        <source>PIN yanlış</source>
        <translation>Wrong PIN</translation>
    </message>
    <message>
        <source>Girdiğiniz PIN yanlış.</source>
        <translation>The PIN you entered is wrong.</translation>
    </message>
    <message>
        <source>PIN bloke</source>
        <translation>PIN blocked</translation>
    </message>
    <message>
        <source>PIN bloke oldu. Kartı veren kurumun (Kamu SM) PIN bloke çözme adımlarını izleyin: PUK kodunuzla kart yönetim yazılımında blokeyi kaldırın.</source>
        <translation>The PIN is blocked. Follow the unblocking steps of the card issuer (Kamu SM): unblock it with your PUK code in the card management software.</translation>
    </message>
    <message>
        <source>PIN uzunluğu geçersiz.</source>
        <translation>The PIN length is invalid.</translation>
    </message>
    <message>
        <source>PIN girişi iptal edildi.</source>
        <translation>PIN entry was cancelled.</translation>
    </message>
    <message>
        <source>Son PIN deneme hakkı</source>
        <translation>Last PIN try</translation>
    </message>
    <message>
        <source>Kartın son PIN deneme hakkı kaldı; devam etmek için onay gerekir.</source>
        <translation>The card has one PIN try left; confirmation is needed to continue.</translation>
    </message>
    <message>
        <source>Okuyucunun tuş takımı yok; PIN&apos;i yazarak girin.</source>
        <translation>The reader has no keypad; type the PIN.</translation>
    </message>
    <message>
        <source>Belge kabul edilemiyor.</source>
        <translation>The document cannot be accepted.</translation>
    </message>
    <message>
        <source>Seçilen sertifika bu belgeyi imzalayamaz.</source>
        <translation>The selected certificate cannot sign this document.</translation>
    </message>
    <message>
        <source>Belge çok büyük.</source>
        <translation>The document is too large.</translation>
    </message>
    <message>
        <source>Belge çok derin iç içe.</source>
        <translation>The document is nested too deeply.</translation>
    </message>
    <message>
        <source>Belge GİB kurallarına uymuyor.</source>
        <translation>The document does not follow GİB&apos;s rules.</translation>
    </message>
    <message>
        <source>Entegratör imzası geçersiz.</source>
        <translation>The integrator&apos;s signature is invalid.</translation>
    </message>
    <message>
        <source>Belgede entegratör imzası yok.</source>
        <translation>The document has no integrator signature.</translation>
    </message>
    <message>
        <source>Belge imzalandıktan sonra değiştirilmiş.</source>
        <translation>The document was changed after it was signed.</translation>
    </message>
    <message>
        <source>Belge bu programın okuyabildiği bir XML değil.</source>
        <translation>The document is not XML this program can read.</translation>
    </message>
    <message>
        <source>Belge bozuk (geçerli XML değil).</source>
        <translation>The document is damaged (not well-formed XML).</translation>
    </message>
    <message>
        <source>Belge DOCTYPE veya varlık (entity) tanımı içeriyor; GİB belgeleri içermez.</source>
        <translation>The document declares a DOCTYPE or entities; GİB documents never do.</translation>
    </message>
    <message>
        <source>Zarftaki belge tek başına okunamıyor.</source>
        <translation>A document in the envelope cannot be read on its own.</translation>
    </message>
    <message>
        <source>Bu bir GİB kullanıcı belgesi veya kullanıcı zarfı değil.</source>
        <translation>This is neither a GİB user-account document nor a user envelope.</translation>
    </message>
    <message>
        <source>Entegratör imzası GİB&apos;in öngördüğü yapıda değil.</source>
        <translation>The integrator&apos;s signature is not structured as GİB prescribes.</translation>
    </message>
    <message>
        <source>Belgede aynı kimlik (Id) iki öğede kullanılmış; imza sarmalama girişimi olabilir. Belge imzalanmayacak.</source>
        <translation>Two elements of the document share an Id; this may be a signature-wrapping attempt. The document will not be signed.</translation>
    </message>
    <message>
        <source>Entegratör imzası GİB&apos;in kullanmadığı bir algoritma kullanıyor.</source>
        <translation>The integrator&apos;s signature uses an algorithm GİB does not use.</translation>
    </message>
    <message>
        <source>Entegratör imzasındaki sertifika, imzalı özelliklerde adı geçen sertifika değil.</source>
        <translation>The certificate in the integrator&apos;s signature is not the one its signed properties name.</translation>
    </message>
    <message>
        <source>Belgeyi imzalayan, entegratörünüz olması gereken taraf değil.</source>
        <translation>The document was signed by someone other than your integrator.</translation>
    </message>
    <message>
        <source>Bu belge imzalanamaz.</source>
        <translation>This document cannot be signed.</translation>
    </message>
    <message>
        <source>Karttaki sertifika okunamadı.</source>
        <translation>The certificate on the card cannot be read.</translation>
    </message>
    <message>
        <source>Ayarlar</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Ayarlarda geçersiz bir değer var; bilgi işlem biriminize başvurun.</source>
        <translation>A setting has an invalid value; contact your IT department.</translation>
    </message>
    <message>
        <source>Portal isteği geri çevirdi (geçersiz istek).</source>
        <translation>The portal turned the request down (invalid request).</translation>
    </message>
    <message>
        <source>Portal gönderilen belge türünü kabul etmedi.</source>
        <translation>The portal did not accept the type of document sent.</translation>
    </message>
    <message>
        <source>Destek paketi</source>
        <translation>Support package</translation>
    </message>
    <message>
        <source>Destek paketi yazılamadı; başka bir klasör seçin.</source>
        <translation>The support package could not be written; choose another folder.</translation>
    </message>
    <message>
        <source>İptal</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>İşlem iptal edildi.</source>
        <translation>The operation was cancelled.</translation>
    </message>
    <message>
        <source>PIN kullanılabilir.</source>
        <translation>The PIN can be used.</translation>
    </message>
    <message>
        <source>Bu kartta daha önce yanlış PIN girildi.</source>
        <translation>A wrong PIN was entered on this card before.</translation>
    </message>
    <message>
        <source>Dikkat: son PIN deneme hakkınız kaldı. Yanlış girilirse kart bloke olur.</source>
        <translation>Caution: you have one PIN try left. If it is wrong, the card is blocked.</translation>
    </message>
    <message>
        <source>PIN bloke.</source>
        <translation>The PIN is blocked.</translation>
    </message>
    <message>
        <source>süresi dolmuş</source>
        <translation>expired</translation>
    </message>
    <message>
        <source>henüz geçerli değil</source>
        <translation>not yet valid</translation>
    </message>
    <message>
        <source>imza anahtar kullanımı yok</source>
        <translation>no signature key usage</translation>
    </message>
    <message>
        <source>şifreleme sertifikası</source>
        <translation>encryption certificate</translation>
    </message>
    <message>
        <source>mali mühür veya nitelikli e-imza değil</source>
        <translation>neither an e-seal nor a qualified e-signature</translation>
    </message>
    <message>
        <source>tüzel kişi için mali mühür gerekir</source>
        <translation>a legal entity needs an e-seal</translation>
    </message>
    <message>
        <source>VKN/TCKN müşteriyle uyuşmuyor</source>
        <translation>VKN/TCKN does not match the customer</translation>
    </message>
    <message>
        <source>sertifikada VKN/TCKN yok</source>
        <translation>no VKN/TCKN in the certificate</translation>
    </message>
    <message>
        <source>Yüklendi: {0} kart, {1} sertifika</source>
        <translation>Loaded: {0} card(s), {1} certificate(s)</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Kart PIN&apos;i</source>
        <translation>Card PIN</translation>
    </message>
    <message>
        <source>Sertifika: {0}</source>
        <translation>Certificate: {0}</translation>
    </message>
    <message>
        <source>PIN durumu</source>
        <translation>PIN status</translation>
    </message>
    <message>
        <source>Hata</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Kapat</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>&amp;PIN</source>
        <translation>&amp;PIN</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Son deneme hakkımı kullanmak istiyorum; yanlışsa kart bloke olur</source>
        <translation>I want to use my last try; if it is wrong, the card is blocked</translation>
    </message>
    <message>
        <source>Son deneme onayı</source>
        <translation>Last try confirmation</translation>
    </message>
    <message>
        <source>Tamam</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Vazgeç</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>ServicesPage</name>
    <message>
        <source>Hizmet Seçimi</source>
        <translation>Service Selection</translation>
    </message>
    <message>
        <source>Lütfen imzalamak istediğiniz hizmetleri seçip &quot;Sonraki&quot; butonuna basınız</source>
        <translation>Please select the services you want to sign and press &quot;Next&quot;</translation>
    </message>
    <message>
        <source>Bekleyen hizmetler</source>
        <translation>Pending services</translation>
    </message>
    <message>
        <source>&amp;Tümünü seç</source>
        <translation>Select &amp;all</translation>
    </message>
    <message>
        <source>Tümünü seç</source>
        <translation>Select all</translation>
    </message>
    <message>
        <source>Bekleyen hizmetler alınıyor ve denetleniyor…</source>
        <translation>Fetching and checking the pending services…</translation>
    </message>
    <message>
        <source>İmza bekleyen hizmet yok.</source>
        <translation>No service is waiting for a signature.</translation>
    </message>
    <message>
        <source>İmzalandı; portala gönderilmeyi bekliyor</source>
        <translation>Signed; waiting to be sent to the portal</translation>
    </message>
    <message>
        <source>Daha önce imzalandı</source>
        <translation>Signed before</translation>
    </message>
    <message>
        <source>XML&apos;i Göster</source>
        <translation>Show XML</translation>
    </message>
    <message>
        <source>XML&apos;i Göster: {0}</source>
        <translation>Show XML: {0}</translation>
    </message>
    <message>
        <source>Önceki çalışmada imzalanan {0} belge portala gönderildi.</source>
        <translation>{0} document(s) signed in the previous session were sent to the portal.</translation>
    </message>
</context>
<context>
    <name>SignPage</name>
    <message>
        <source>İmza</source>
        <translation>Signature</translation>
    </message>
    <message>
        <source>Mali mühür sertifikanıza erişim yöntemini belirleyin ve imza sertifikanızı seçin. İmza işleminin tamamlanması için sonraki adıma devam edin</source>
        <translation>Choose how to reach your e-seal certificate and select your signing certificate. Continue to the next step to complete the signature</translation>
    </message>
    <message>
        <source>İmza Kütüphanesi</source>
        <translation>Signature Library</translation>
    </message>
    <message>
        <source>İmza Sertifikası</source>
        <translation>Signing Certificate</translation>
    </message>
    <message>
        <source>PIN durumu</source>
        <translation>PIN status</translation>
    </message>
    <message>
        <source>Hata</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>İmzala &gt;&gt;</source>
        <translation>Sign &gt;&gt;</translation>
    </message>
    <message>
        <source>PKCS #11 ({0})</source>
        <extracomment>The dialog while it is open (tests drive it).</extracomment>
        <translation>PKCS #11 ({0})</translation>
    </message>
    <message>
        <source>Önce bir sertifika seçin.</source>
        <translation>Select a certificate first.</translation>
    </message>
    <message>
        <source>Kartın PIN durumu okunuyor…</source>
        <translation>Reading the card&apos;s PIN status…</translation>
    </message>
</context>
<context>
    <name>SignerApplication</name>
    <message>
        <source>Hizmet Aktivasyon</source>
        <extracomment>ASCII: used in WM_CLASS and settings paths. What the user sees as the program&apos;s name (translated by :meth:`SignerApplication.retranslate`). The ``.desktop`` file&apos;s name (the Wayland app id). Documents to open (local paths); also emitted with an empty list to raise the window.</extracomment>
        <translation>Service Activation</translation>
    </message>
</context>
<context>
    <name>SigningPage</name>
    <message>
        <source>İmzalama</source>
        <extracomment>The card refused the PIN before anything was signed: go back to İmza. The receipt CSV was written to this path.</extracomment>
        <translation>Signing</translation>
    </message>
    <message>
        <source>İmzalama işlemi sonucu aşağıdaki gibidir</source>
        <translation>The result of the signing is as follows</translation>
    </message>
    <message>
        <source>İlerleme</source>
        <translation>Progress</translation>
    </message>
    <message>
        <source>Sonuçlar</source>
        <translation>Results</translation>
    </message>
    <message>
        <source>Hizmet durumları</source>
        <translation>Service statuses</translation>
    </message>
    <message>
        <source>&amp;Yalnız başarısızları yeniden dene</source>
        <translation>&amp;Retry failed only</translation>
    </message>
    <message>
        <source>Yalnız başarısızları yeniden dene</source>
        <translation>Retry the failed ones only</translation>
    </message>
    <message>
        <source>&amp;Makbuzu kaydet</source>
        <translation>Save re&amp;ceipt</translation>
    </message>
    <message>
        <source>Makbuzu kaydet</source>
        <translation>Save the receipt</translation>
    </message>
    <message>
        <source>{0}. Bekliyor</source>
        <extracomment>The PIN dialog of a retry while it is open (tests drive it). Seconds between status polls (tests shorten it).</extracomment>
        <translation>{0}. Waiting</translation>
    </message>
    <message>
        <source>Kart açılıyor…</source>
        <translation>Opening the card…</translation>
    </message>
    <message>
        <source>PIN&apos;i okuyucunun tuş takımından girin ({0} sn)</source>
        <translation>Enter the PIN on the reader&apos;s keypad ({0} s)</translation>
    </message>
    <message>
        <source>{0}/{1}: {2} imzalanıyor ve gönderiliyor…</source>
        <translation>{0}/{1}: signing and sending {2}…</translation>
    </message>
    <message>
        <source>{0}. İmzalanıyor…</source>
        <translation>{0}. Signing…</translation>
    </message>
    <message>
        <source>{0}. Sonuç: Başarılı</source>
        <translation>{0}. Result: Successful</translation>
    </message>
    <message>
        <source>{0}. Sonuç: Başarısız — {1}</source>
        <translation>{0}. Result: Failed — {1}</translation>
    </message>
    <message>
        <source>{0} hizmetten {1} tanesi imzalandı ve gönderildi.</source>
        <translation>{1} of {0} services were signed and sent.</translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation>{0}: {1}</translation>
    </message>
    <message>
        <source>Hizmet durumları (GİB yanıtı henüz gelmedi; portaldan izleyebilirsiniz)</source>
        <translation>Service statuses (no answer from GİB yet; you can follow them on the portal)</translation>
    </message>
    <message>
        <source>CSV dosyası (*.csv)</source>
        <translation>CSV file (*.csv)</translation>
    </message>
    <message>
        <source>Makbuz kaydedilemedi: {0}</source>
        <translation>The receipt could not be saved: {0}</translation>
    </message>
    <message>
        <source>Makbuz kaydedildi: {0}</source>
        <translation>Receipt saved: {0}</translation>
    </message>
</context>
<context>
    <name>SupportBundleAction</name>
    <message>
        <source>Destek paketi oluştur</source>
        <translation>Create support package</translation>
    </message>
    <message>
        <source>&amp;Destek paketi oluştur…</source>
        <translation>Create &amp;support package…</translation>
    </message>
    <message>
        <source>Destek paketi</source>
        <translation>Support package</translation>
    </message>
    <message>
        <source>İmzalama bitince destek paketi oluşturabilirsiniz.</source>
        <translation>You can create a support package once signing has finished.</translation>
    </message>
    <message>
        <source>ZIP dosyası (*.zip)</source>
        <translation>ZIP file (*.zip)</translation>
    </message>
    <message>
        <source>Destek paketi hazırlanıyor…</source>
        <translation>Preparing the support package…</translation>
    </message>
    <message>
        <source>Destek paketi kaydedildi:
{0}

PIN, parola ve anahtarlar pakette yer almaz. Dosyayı bilgi işlem biriminize veya entegratörünüzün destek ekibine gönderin.</source>
        <translation>Support package saved:
{0}

PINs, passwords and keys are never in it. Send the file to your IT department or to your integrator&apos;s support team.</translation>
    </message>
    <message>
        <source>Bulunan sorunlar: {0}</source>
        <translation>Problems found: {0}</translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message>
        <source>Hesap hemen açılsın</source>
        <translation>Open the account immediately</translation>
    </message>
    <message>
        <source>{0} Hizmeti açma</source>
        <translation>{0} service opening</translation>
    </message>
    <message>
        <source>Açılış: {0}</source>
        <translation>Opening: {0}</translation>
    </message>
    <message>
        <source>Aktivasyon Bekliyor</source>
        <translation>Awaiting activation</translation>
    </message>
    <message>
        <source>Müşteri İmzası Bekliyor</source>
        <translation>Awaiting the customer&apos;s signature</translation>
    </message>
    <message>
        <source>GİB&apos;e Gönderimi Bekliyor</source>
        <translation>Awaiting sending to GİB</translation>
    </message>
    <message>
        <source>GİB&apos;den Onay Bekliyor</source>
        <translation>Awaiting GİB&apos;s approval</translation>
    </message>
    <message>
        <source>Aktif</source>
        <translation>Active</translation>
    </message>
    <message>
        <source>Hatalı</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>{0} Hizmeti kapatma</source>
        <extracomment>The wizard&apos;s page ids, in order. From İmza to İmzalama only: the signing page takes it for the batch and forgets it (a retry asks again). A batch is being signed or uploaded.</extracomment>
        <translation>{0} service closing</translation>
    </message>
</context>
<context>
    <name>XmlDialog</name>
    <message>
        <source>XML&apos;i Göster</source>
        <translation>Show XML</translation>
    </message>
    <message>
        <source>Hizmet: {0}</source>
        <translation>Service: {0}</translation>
    </message>
    <message>
        <source>Firma: {0}</source>
        <translation>Company: {0}</translation>
    </message>
    <message>
        <source>VKN/TCKN: {0}</source>
        <translation>VKN/TCKN: {0}</translation>
    </message>
    <message>
        <source>Etiketler: {0}</source>
        <translation>Aliases: {0}</translation>
    </message>
    <message>
        <source>İşlem: {0}</source>
        <translation>Operation: {0}</translation>
    </message>
    <message>
        <source>hesap açma</source>
        <translation>account opening</translation>
    </message>
    <message>
        <source>hesap kapatma</source>
        <translation>account closing</translation>
    </message>
    <message>
        <source>Özet</source>
        <translation>Summary</translation>
    </message>
    <message>
        <source>XML belgesi</source>
        <translation>XML document</translation>
    </message>
    <message>
        <source>Kapat</source>
        <translation>Close</translation>
    </message>
</context>
</TS>
