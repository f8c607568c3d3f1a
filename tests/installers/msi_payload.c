/*
 * TEST PAYLOAD, not the signing client: the MSI tests install this small
 * Windows console program as signer-app.exe, because the real PyInstaller
 * bundle can only be built on Windows. Run under Wine it shows what the real
 * program would see:
 *
 *   - its command line (so the .aktivasyon "open" verb can be checked), and
 *   - every value under HKLM\Software\SignerApp\SignerApp in the 64-bit view,
 *     named the way signer_app/config.py names them (lower case, subkeys as
 *     dotted prefixes: portal\url -> "portal.url").
 *
 * It prints one JSON object on one line to stdout and appends the same line
 * to the file named by SIGNER_APP_TEST_REPORT, because a program started
 * through a file association has no stdout the test could read.
 *
 * Build: x86_64-w64-mingw32-gcc -municode -O2 -s -o signer-app.exe msi_payload.c
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#define DEFAULTS_KEY L"Software\\SignerApp\\SignerApp"

typedef struct {
    char *data;
    size_t len;
    size_t cap;
} Buffer;

static void put(Buffer *out, const char *text, size_t len)
{
    if (out->len + len + 1 > out->cap) {
        size_t cap = (out->cap + len + 1) * 2;
        char *grown = realloc(out->data, cap);
        if (grown == NULL) {
            exit(3);
        }
        out->data = grown;
        out->cap = cap;
    }
    memcpy(out->data + out->len, text, len);
    out->len += len;
    out->data[out->len] = '\0';
}

static void put_text(Buffer *out, const char *text)
{
    put(out, text, strlen(text));
}

/* A JSON string from UTF-16 text: UTF-8, with quotes, backslashes and
 * control characters escaped, so paths with spaces or Turkish letters survive. */
static void put_json_string(Buffer *out, const wchar_t *text, int chars)
{
    int size;
    char *utf8;
    int i;

    put_text(out, "\"");
    if (chars < 0) {
        chars = (int)wcslen(text);
    }
    size = WideCharToMultiByte(CP_UTF8, 0, text, chars, NULL, 0, NULL, NULL);
    utf8 = malloc((size_t)size + 1);
    if (utf8 == NULL) {
        exit(3);
    }
    WideCharToMultiByte(CP_UTF8, 0, text, chars, utf8, size, NULL, NULL);
    for (i = 0; i < size; i++) {
        unsigned char c = (unsigned char)utf8[i];
        char escaped[8];
        if (c == '"' || c == '\\') {
            escaped[0] = '\\';
            escaped[1] = (char)c;
            put(out, escaped, 2);
        } else if (c < 0x20) {
            snprintf(escaped, sizeof escaped, "\\u%04x", c);
            put_text(out, escaped);
        } else {
            put(out, (const char *)&utf8[i], 1);
        }
    }
    free(utf8);
    put_text(out, "\"");
}

/* Lower-case copy, because the program's setting keys are lower case and
 * registry names are case-insensitive (as in config._registry_values). */
static void lower(wchar_t *text)
{
    for (; *text; text++) {
        *text = towlower(*text);
    }
}

static int first_value = 1;

static void dump_key(Buffer *out, HKEY key, const wchar_t *prefix)
{
    DWORD index;
    wchar_t name[256];
    wchar_t full[512];

    for (index = 0;; index++) {
        DWORD name_len = 256;
        DWORD type = 0;
        DWORD size = 0;
        BYTE *data;
        if (RegEnumValueW(key, index, name, &name_len, NULL, &type, NULL, &size) != ERROR_SUCCESS) {
            break;
        }
        if (name_len == 0) {
            continue;
        }
        data = calloc(1, (size_t)size + 4);
        if (data == NULL) {
            exit(3);
        }
        name_len = 256;
        RegEnumValueW(key, index, name, &name_len, NULL, &type, data, &size);
        _snwprintf(full, 512, L"%ls%ls", prefix, name);
        full[511] = L'\0';
        lower(full);
        put_text(out, first_value ? "" : ", ");
        first_value = 0;
        put_json_string(out, full, -1);
        put_text(out, ": ");
        if (type == REG_SZ || type == REG_EXPAND_SZ) {
            put_json_string(out, (const wchar_t *)data, -1);
        } else if (type == REG_DWORD) {
            char number[32];
            snprintf(number, sizeof number, "%lu", (unsigned long)*(DWORD *)data);
            put_text(out, number);
        } else {
            /* Any other type would be a mistake in the MSI: make it visible. */
            char marker[48];
            snprintf(marker, sizeof marker, "\"<registry type %lu>\"", (unsigned long)type);
            put_text(out, marker);
        }
        free(data);
    }
    for (index = 0;; index++) {
        DWORD name_len = 256;
        HKEY child;
        if (RegEnumKeyExW(key, index, name, &name_len, NULL, NULL, NULL, NULL) != ERROR_SUCCESS) {
            break;
        }
        if (RegOpenKeyExW(key, name, 0, KEY_READ, &child) == ERROR_SUCCESS) {
            _snwprintf(full, 512, L"%ls%ls.", prefix, name);
            full[511] = L'\0';
            dump_key(out, child, full);
            RegCloseKey(child);
        }
    }
}

int wmain(int argc, wchar_t **argv)
{
    Buffer out = {NULL, 0, 0};
    HKEY key;
    int i;
    const wchar_t *report;

    put_text(&out, "{\"argv\": [");
    for (i = 0; i < argc; i++) {
        put_text(&out, i ? ", " : "");
        put_json_string(&out, argv[i], -1);
    }
    put_text(&out, "], \"command_line\": ");
    put_json_string(&out, GetCommandLineW(), -1);
    put_text(&out, ", \"defaults\": ");
    /* The 64-bit view, as config._registry_layer opens it. */
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, DEFAULTS_KEY, 0, KEY_READ | KEY_WOW64_64KEY, &key)
        == ERROR_SUCCESS) {
        put_text(&out, "{");
        dump_key(&out, key, L"");
        put_text(&out, "}");
        RegCloseKey(key);
    } else {
        put_text(&out, "null");
    }
    put_text(&out, "}\n");

    fwrite(out.data, 1, out.len, stdout);
    fflush(stdout);
    report = _wgetenv(L"SIGNER_APP_TEST_REPORT");
    if (report != NULL && *report) {
        FILE *file = _wfopen(report, L"ab");
        if (file != NULL) {
            fwrite(out.data, 1, out.len, file);
            fclose(file);
        }
    }
    free(out.data);
    return 0;
}
