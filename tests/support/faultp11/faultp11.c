/*
 * faultp11: a PKCS#11 v2.40 module that forwards every call to a real module
 * (SoftHSM2 by default) and, as configured, misbehaves the way real smart
 * cards and their vendor modules do. Test support only; see README.md for
 * the configuration keys.
 *
 * The function list handed out is a copy of the target's, so every function
 * not overridden here goes straight to the target with no extra frame.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

#define EXPORT __attribute__((visibility("default")))
#define DEFAULT_TARGET "/usr/lib/softhsm/libsofthsm2.so"
#define DESCRIPTION "signer-app fault injection"
#define PIN_FLAGS (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED)

/* Every function a fault list (device_error_on, abort_on, hang_on) can name. */
#define FAULT_FUNCS(X)                                                         \
	X(Initialize) X(Finalize) X(GetInfo) X(GetSlotList) X(GetSlotInfo)     \
	X(GetTokenInfo) X(GetMechanismList) X(GetMechanismInfo) X(InitPIN)     \
	X(OpenSession) X(CloseSession) X(CloseAllSessions) X(GetSessionInfo)   \
	X(Login) X(Logout) X(GetAttributeValue) X(FindObjectsInit)             \
	X(FindObjects) X(FindObjectsFinal) X(SignInit) X(Sign) X(SignUpdate)   \
	X(SignFinal)

enum fn_id {
#define X(name) FN_##name,
	FAULT_FUNCS(X)
#undef X
	FN_COUNT
};

static const char *const fn_names[FN_COUNT] = {
#define X(name) "C_" #name,
	FAULT_FUNCS(X)
#undef X
};

struct config {
	char target[PATH_MAX];
	char state_file[PATH_MAX];
	char removed_file[PATH_MAX];
	char pinpad_pin[256];
	unsigned long pin_tries, protected_auth, pinpad_delay_ms, vanish_after_signs;
	unsigned long reject_init_args, initialize_rv, sign_delay_ms, session_count;
	unsigned long device_error_on, abort_on, hang_on; /* bit masks over fn_id */
};

enum key_kind { KEY_STRING, KEY_NUMBER, KEY_FUNCTIONS };

static const struct key {
	const char *name;
	enum key_kind kind;
	size_t offset, size;
} keys[] = {
#define KEY(name, kind) {#name, kind, offsetof(struct config, name), sizeof(((struct config *)0)->name)}
	KEY(target, KEY_STRING),
	KEY(state_file, KEY_STRING),
	KEY(removed_file, KEY_STRING),
	KEY(pinpad_pin, KEY_STRING),
	KEY(pin_tries, KEY_NUMBER),
	KEY(protected_auth, KEY_NUMBER),
	KEY(pinpad_delay_ms, KEY_NUMBER),
	KEY(vanish_after_signs, KEY_NUMBER),
	KEY(reject_init_args, KEY_NUMBER),
	KEY(initialize_rv, KEY_NUMBER),
	KEY(sign_delay_ms, KEY_NUMBER),
	KEY(session_count, KEY_NUMBER),
	KEY(device_error_on, KEY_FUNCTIONS),
	KEY(abort_on, KEY_FUNCTIONS),
	KEY(hang_on, KEY_FUNCTIONS),
#undef KEY
};

struct session {
	CK_SESSION_HANDLE handle;
	CK_SLOT_ID slot;
	int rw;
};

/* Bindings such as python-pkcs11 release the GIL during calls, so every
 * piece of mutable state below is guarded by this one mutex. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct config cfg;
static void *target_dl;
static char target_path[PATH_MAX];
static CK_FUNCTION_LIST_PTR target;
static CK_FUNCTION_LIST fault_list;
static unsigned long signs_done;
static int vanished;
static struct session *sessions;
static size_t n_sessions, cap_sessions;

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("faultp11: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static char *trim(char *s)
{
	char *end;
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && strchr(" \t\r\n", end[-1]))
		*--end = '\0';
	return s;
}

static int parse_functions(char *value, unsigned long *mask, int verbose)
{
	int errors = 0;
	char *save = NULL;
	for (char *tok = strtok_r(value, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *name = trim(tok);
		int id;
		if (!*name)
			continue;
		for (id = 0; id < FN_COUNT && strcmp(name, fn_names[id]) != 0; id++)
			;
		if (id < FN_COUNT) {
			*mask |= 1UL << id;
		} else {
			/* An error, not a warning: a misspelt name would silently
			 * turn a fault test into a pass-through test. */
			if (verbose)
				warn("cannot inject faults into unknown function '%s'", name);
			errors++;
		}
	}
	return errors;
}

static int set_key(struct config *c, const char *name, char *value, int verbose)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const struct key *k = &keys[i];
		char *field = (char *)c + k->offset, *end;
		unsigned long number;
		if (strcmp(name, k->name) != 0)
			continue;
		switch (k->kind) {
		case KEY_STRING:
			if (strlen(value) >= k->size)
				break;
			memcpy(field, value, strlen(value) + 1);
			return 0;
		case KEY_NUMBER:
			errno = 0;
			number = strtoul(value, &end, 0);
			if (!*value || *value == '-' || *end || errno)
				break;
			*(unsigned long *)field = number;
			return 0;
		case KEY_FUNCTIONS:
			return parse_functions(value, (unsigned long *)field, verbose);
		}
		if (verbose)
			warn("bad value for %s: '%s'", name, value);
		return 1;
	}
	if (verbose)
		warn("ignoring unknown key '%s'", name);
	return 0;
}

/* Returns the number of errors; unknown keys only warn. */
static int load_config(struct config *c, int verbose)
{
	const char *path = getenv("FAULTP11_CONFIG");
	char line[4096];
	int errors = 0;
	FILE *f;

	memset(c, 0, sizeof *c);
	strcpy(c->target, DEFAULT_TARGET);
	if (!path || !*path)
		return 0;
	if (!(f = fopen(path, "r"))) {
		if (verbose)
			warn("cannot read FAULTP11_CONFIG %s: %s", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof line, f)) {
		char *key = trim(line), *eq;
		if (!*key || *key == '#')
			continue;
		if (!(eq = strchr(key, '='))) {
			if (verbose)
				warn("%s: line without '=': %s", path, key);
			errors++;
			continue;
		}
		*eq = '\0';
		errors += set_key(c, trim(key), trim(eq + 1), verbose);
	}
	fclose(f);
	if (!c->target[0])
		strcpy(c->target, DEFAULT_TARGET);
	if (c->pin_tries && !c->state_file[0]) {
		if (verbose)
			warn("pin_tries needs state_file");
		errors++;
	}
	return errors;
}

/* Caller holds the lock. */
static CK_RV load_target(const char *path)
{
	CK_C_GetFunctionList get_list;
	CK_FUNCTION_LIST_PTR list;
	void *dl;

	if (target) {
		if (strcmp(path, target_path) != 0)
			warn("target %s ignored: %s is already loaded in this process", path, target_path);
		return CKR_OK;
	}
	if (!(dl = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
		warn("cannot load target: %s", dlerror());
		return CKR_GENERAL_ERROR;
	}
	get_list = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList");
	if (!get_list || get_list(&list) != CKR_OK || !list) {
		warn("%s: no usable C_GetFunctionList", path);
		dlclose(dl);
		return CKR_GENERAL_ERROR;
	}
	target_dl = dl;
	target = list;
	strcpy(target_path, path);
	return CKR_OK;
}

static CK_RV enter(enum fn_id id)
{
	unsigned long bit = 1UL << id;
	if (cfg.abort_on & bit) {
		warn("%s: abort (abort_on)", fn_names[id]);
		abort();
	}
	if (cfg.hang_on & bit) {
		warn("%s: hanging forever (hang_on)", fn_names[id]);
		for (;;)
			sleep(1);
	}
	return (cfg.device_error_on & bit) ? CKR_DEVICE_ERROR : CKR_OK;
}

#define ENTER(name)                                                            \
	do {                                                                   \
		CK_RV enter_rv_ = enter(FN_##name);                            \
		if (enter_rv_ != CKR_OK)                                       \
			return enter_rv_;                                      \
	} while (0)

/* A pulled card takes its sessions and its login with it. The target's
 * token never goes away, so close the target's sessions once per pull;
 * after reinsertion the old handles are invalid, as with a real card. */
static int token_removed(void)
{
	static int pulled;
	int gone;

	pthread_mutex_lock(&lock);
	gone = vanished || (cfg.removed_file[0] && access(cfg.removed_file, F_OK) == 0);
	if (gone && !pulled) {
		for (size_t i = 0; i < n_sessions; i++)
			target->C_CloseSession(sessions[i].handle);
		n_sessions = 0;
	}
	pulled = gone;
	pthread_mutex_unlock(&lock);
	return gone;
}

/* --- the persistent wrong-PIN counter; callers hold the lock --- */

static int state_load(unsigned long *wrong)
{
	char line[128];
	FILE *f = fopen(cfg.state_file, "r");
	*wrong = 0;
	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof line, f))
		sscanf(line, "user_pin_wrong=%lu", wrong);
	fclose(f);
	return 0;
}

static int state_store(unsigned long wrong)
{
	char tmp[PATH_MAX + 32];
	int ok;
	FILE *f;

	/* Write-then-rename: tests kill processes at any moment and other
	 * processes read the file, so it must never be seen half-written. */
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", cfg.state_file, (long)getpid());
	if (!(f = fopen(tmp, "w")))
		return -1;
	ok = fprintf(f, "user_pin_wrong=%lu\n", wrong) > 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, cfg.state_file) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static CK_RV state_error(const char *what)
{
	warn("cannot %s state_file %s: %s", what, cfg.state_file, strerror(errno));
	return CKR_GENERAL_ERROR;
}

static CK_FLAGS pin_flags(unsigned long wrong)
{
	if (wrong >= cfg.pin_tries)
		return CKF_USER_PIN_LOCKED;
	if (cfg.pin_tries - wrong == 1)
		return CKF_USER_PIN_FINAL_TRY;
	return wrong ? CKF_USER_PIN_COUNT_LOW : 0;
}

/* --- session bookkeeping for session_count; callers hold the lock --- */

static void session_add(CK_SESSION_HANDLE handle, CK_SLOT_ID slot, int rw)
{
	if (n_sessions == cap_sessions) {
		size_t cap = cap_sessions ? 2 * cap_sessions : 16;
		struct session *grown = realloc(sessions, cap * sizeof *grown);
		if (!grown) {
			warn("out of memory: session %lu not counted", handle);
			return;
		}
		sessions = grown;
		cap_sessions = cap;
	}
	sessions[n_sessions++] = (struct session){handle, slot, rw};
}

/* Removes sessions matching the handle, or all of a slot's when by_slot. */
static void session_remove(CK_ULONG key, int by_slot)
{
	size_t kept = 0;
	for (size_t i = 0; i < n_sessions; i++)
		if ((by_slot ? sessions[i].slot : sessions[i].handle) != key)
			sessions[kept++] = sessions[i];
	n_sessions = kept;
}

/* --- overridden functions --- */

static CK_RV fp_Initialize(CK_VOID_PTR init_args)
{
	CK_RV rv;

	pthread_mutex_lock(&lock);
	rv = load_config(&cfg, 1) ? CKR_GENERAL_ERROR : load_target(cfg.target);
	if (rv == CKR_OK && cfg.pin_tries && access(cfg.state_file, F_OK) != 0 && state_store(0) != 0)
		rv = state_error("create");
	pthread_mutex_unlock(&lock);
	if (rv != CKR_OK)
		return rv;
	ENTER(Initialize);
	if (cfg.initialize_rv)
		return cfg.initialize_rv;
	if (cfg.reject_init_args && init_args)
		return CKR_ARGUMENTS_BAD;
	return target->C_Initialize(init_args);
}

static CK_RV fp_Finalize(CK_VOID_PTR reserved)
{
	CK_RV rv;
	ENTER(Finalize);
	rv = target->C_Finalize(reserved);
	if (rv == CKR_OK) {
		pthread_mutex_lock(&lock);
		n_sessions = 0;
		pthread_mutex_unlock(&lock);
	}
	return rv;
}

static CK_RV fp_GetInfo(CK_INFO_PTR info)
{
	CK_RV rv;
	ENTER(GetInfo);
	rv = target->C_GetInfo(info);
	if (rv == CKR_OK) {
		memset(info->libraryDescription, ' ', sizeof info->libraryDescription);
		memcpy(info->libraryDescription, DESCRIPTION, strlen(DESCRIPTION));
	}
	return rv;
}

static CK_RV fp_GetSlotList(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
	CK_ULONG n;
	CK_RV rv;
	ENTER(GetSlotList);
	if (!token_present || !count || !token_removed())
		return target->C_GetSlotList(token_present, list, count);
	/* Still ask the target so that e.g. CKR_CRYPTOKI_NOT_INITIALIZED wins. */
	rv = target->C_GetSlotList(token_present, NULL, &n);
	if (rv == CKR_OK)
		*count = 0;
	return rv;
}

static CK_RV fp_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
	CK_RV rv;
	ENTER(GetSlotInfo);
	rv = target->C_GetSlotInfo(slot, info);
	if (rv == CKR_OK && token_removed())
		info->flags &= ~CKF_TOKEN_PRESENT;
	return rv;
}

static CK_RV fp_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
	unsigned long wrong;
	CK_RV rv;
	ENTER(GetTokenInfo);
	if (token_removed())
		return CKR_TOKEN_NOT_PRESENT;
	rv = target->C_GetTokenInfo(slot, info);
	if (rv != CKR_OK)
		return rv;
	if (cfg.protected_auth)
		info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
	pthread_mutex_lock(&lock);
	if (cfg.pin_tries) {
		if (state_load(&wrong) != 0)
			rv = state_error("read");
		/* SoftHSM keeps its own COUNT_LOW bit; only ours may show. */
		info->flags = (info->flags & ~PIN_FLAGS) | pin_flags(wrong);
	}
	if (cfg.session_count) {
		info->ulSessionCount = info->ulRwSessionCount = 0;
		for (size_t i = 0; i < n_sessions; i++) {
			if (sessions[i].slot != slot)
				continue;
			info->ulSessionCount++;
			info->ulRwSessionCount += sessions[i].rw;
		}
	}
	pthread_mutex_unlock(&lock);
	return rv;
}

static CK_RV fp_InitPIN(CK_SESSION_HANDLE session, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	CK_RV rv;
	ENTER(InitPIN);
	if (token_removed())
		return CKR_DEVICE_REMOVED;
	rv = target->C_InitPIN(session, pin, len);
	if (rv == CKR_OK && cfg.pin_tries) {
		/* The target only lets an SO session get here: the unblock. */
		pthread_mutex_lock(&lock);
		if (state_store(0) != 0)
			rv = state_error("write");
		pthread_mutex_unlock(&lock);
	}
	return rv;
}

static CK_RV fp_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
			    CK_SESSION_HANDLE_PTR session)
{
	CK_RV rv;
	ENTER(OpenSession);
	if (token_removed())
		return CKR_TOKEN_NOT_PRESENT;
	rv = target->C_OpenSession(slot, flags, app, notify, session);
	if (rv == CKR_OK) {
		pthread_mutex_lock(&lock);
		session_add(*session, slot, (flags & CKF_RW_SESSION) != 0);
		pthread_mutex_unlock(&lock);
	}
	return rv;
}

static CK_RV fp_CloseSession(CK_SESSION_HANDLE session)
{
	CK_RV rv;
	ENTER(CloseSession);
	rv = target->C_CloseSession(session);
	if (rv == CKR_OK) {
		pthread_mutex_lock(&lock);
		session_remove(session, 0);
		pthread_mutex_unlock(&lock);
	}
	return rv;
}

static CK_RV fp_CloseAllSessions(CK_SLOT_ID slot)
{
	CK_RV rv;
	ENTER(CloseAllSessions);
	rv = target->C_CloseAllSessions(slot);
	if (rv == CKR_OK) {
		pthread_mutex_lock(&lock);
		session_remove(slot, 1);
		pthread_mutex_unlock(&lock);
	}
	return rv;
}

static CK_RV fp_Login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	unsigned long wrong = 0;
	CK_RV rv;

	ENTER(Login);
	if (token_removed())
		return CKR_DEVICE_REMOVED;
	if (user != CKU_USER)
		return target->C_Login(session, user, pin, len);
	if (cfg.pin_tries) {
		/* A locked card refuses before it asks the PIN-pad for a PIN. */
		pthread_mutex_lock(&lock);
		rv = state_load(&wrong) == 0 ? CKR_OK : state_error("read");
		pthread_mutex_unlock(&lock);
		if (rv != CKR_OK)
			return rv;
		if (wrong >= cfg.pin_tries)
			return CKR_PIN_LOCKED;
	}
	if (!pin && cfg.protected_auth) {
		sleep_ms(cfg.pinpad_delay_ms);
		if (!cfg.pinpad_pin[0])
			return CKR_FUNCTION_CANCELED;
		pin = (CK_UTF8CHAR_PTR)cfg.pinpad_pin;
		len = strlen(cfg.pinpad_pin);
	}
	if (!cfg.pin_tries)
		return target->C_Login(session, user, pin, len);

	/* Check, verify and count under one lock so that concurrent logins
	 * cannot both slip past the last try. */
	pthread_mutex_lock(&lock);
	if (state_load(&wrong) != 0) {
		rv = state_error("read");
	} else if (wrong >= cfg.pin_tries) {
		rv = CKR_PIN_LOCKED;
	} else {
		rv = target->C_Login(session, user, pin, len);
		if (rv == CKR_PIN_INCORRECT || (rv == CKR_OK && wrong)) {
			if (state_store(rv == CKR_OK ? 0 : wrong + 1) != 0)
				rv = state_error("write");
		}
	}
	pthread_mutex_unlock(&lock);
	return rv;
}

/* PKCS#11 ends a signing operation on any error but CKR_BUFFER_TOO_SMALL.
 * An injected error must leave the session as a real failure would, or the
 * caller's next C_SignInit meets CKR_OPERATION_ACTIVE; so finish the
 * target's operation into a scratch buffer and drop the result. */
static void end_sign_operation(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len, int single)
{
	CK_ULONG len = 0;
	CK_BYTE_PTR scratch;
	if ((single ? target->C_Sign(session, data, data_len, NULL, &len)
		    : target->C_SignFinal(session, NULL, &len)) != CKR_OK)
		return; /* a real error has ended it already */
	if (!(scratch = malloc(len ? len : 1)))
		return;
	if (single)
		target->C_Sign(session, data, data_len, scratch, &len);
	else
		target->C_SignFinal(session, scratch, &len);
	free(scratch);
}

static CK_RV sign_fault(enum fn_id id)
{
	CK_RV rv = enter(id);
	return (rv == CKR_OK && token_removed()) ? CKR_DEVICE_REMOVED : rv;
}

static CK_RV fp_Sign(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len, CK_BYTE_PTR sig,
		     CK_ULONG_PTR sig_len)
{
	CK_RV rv = sign_fault(FN_Sign);
	if (rv != CKR_OK) {
		end_sign_operation(session, data, data_len, 1);
		return rv;
	}
	/* Both bindings ask for the length first with sig == NULL; only the
	 * call that produces the signature costs card time or counts. */
	if (sig && cfg.sign_delay_ms)
		sleep_ms(cfg.sign_delay_ms);
	rv = target->C_Sign(session, data, data_len, sig, sig_len);
	if (rv == CKR_OK && sig) {
		pthread_mutex_lock(&lock);
		if (cfg.vanish_after_signs && ++signs_done >= cfg.vanish_after_signs)
			vanished = 1;
		pthread_mutex_unlock(&lock);
	}
	return rv;
}

static CK_RV fp_SignUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR part, CK_ULONG part_len)
{
	CK_RV rv = sign_fault(FN_SignUpdate);
	if (rv != CKR_OK) {
		end_sign_operation(session, NULL, 0, 0);
		return rv;
	}
	return target->C_SignUpdate(session, part, part_len);
}

static CK_RV fp_SignFinal(CK_SESSION_HANDLE session, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	CK_RV rv = sign_fault(FN_SignFinal);
	if (rv != CKR_OK) {
		end_sign_operation(session, NULL, 0, 0);
		return rv;
	}
	return target->C_SignFinal(session, sig, sig_len);
}

/* Calls on a session of a pulled card fail with CKR_DEVICE_REMOVED. */
#define SESSION_CALL(name, params, args)                                       \
	static CK_RV fp_##name params                                          \
	{                                                                      \
		ENTER(name);                                                   \
		if (token_removed())                                           \
			return CKR_DEVICE_REMOVED;                             \
		return target->C_##name args;                                  \
	}

/* Calls about an empty slot's token fail with CKR_TOKEN_NOT_PRESENT. */
#define SLOT_CALL(name, params, args)                                          \
	static CK_RV fp_##name params                                          \
	{                                                                      \
		ENTER(name);                                                   \
		if (token_removed())                                           \
			return CKR_TOKEN_NOT_PRESENT;                          \
		return target->C_##name args;                                  \
	}

/* Overridden only so that the fault lists can name them. */
#define PLAIN_CALL(name, params, args)                                         \
	static CK_RV fp_##name params                                          \
	{                                                                      \
		ENTER(name);                                                   \
		return target->C_##name args;                                  \
	}

SESSION_CALL(Logout, (CK_SESSION_HANDLE s), (s))
SESSION_CALL(SignInit, (CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (s, m, k))
SESSION_CALL(FindObjectsInit, (CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n), (s, t, n))
SESSION_CALL(FindObjects, (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE_PTR o, CK_ULONG max, CK_ULONG_PTR n),
	     (s, o, max, n))
SESSION_CALL(GetAttributeValue, (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n),
	     (s, o, t, n))
SLOT_CALL(GetMechanismList, (CK_SLOT_ID s, CK_MECHANISM_TYPE_PTR l, CK_ULONG_PTR n), (s, l, n))
SLOT_CALL(GetMechanismInfo, (CK_SLOT_ID s, CK_MECHANISM_TYPE t, CK_MECHANISM_INFO_PTR i), (s, t, i))
PLAIN_CALL(GetSessionInfo, (CK_SESSION_HANDLE s, CK_SESSION_INFO_PTR i), (s, i))
PLAIN_CALL(FindObjectsFinal, (CK_SESSION_HANDLE s), (s))

EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	CK_RV rv = CKR_OK;

	if (!list)
		return CKR_ARGUMENTS_BAD;
	pthread_mutex_lock(&lock);
	if (!target) {
		/* Quiet: C_Initialize re-reads the file and reports problems. */
		load_config(&cfg, 0);
		rv = load_target(cfg.target);
		if (rv == CKR_OK) {
			fault_list = *target;
#define X(name) fault_list.C_##name = fp_##name;
			FAULT_FUNCS(X)
#undef X
			fault_list.C_GetFunctionList = C_GetFunctionList;
		}
	}
	pthread_mutex_unlock(&lock);
	if (rv == CKR_OK)
		*list = &fault_list;
	return rv;
}
