// A narrow C face over ICU for textvae's tokenizer. Not a public API.
//
// Why this exists: Swift cannot import ICU's headers next to Foundation (both
// define UErrorCode), and ICU renames every function by macro. So this header
// names no ICU type; ICU is included only in CICU.c. Text is UTF-16.
// Every function reports failure through `*status`: 0 or negative is success
// (ICU warnings are negative), positive is an ICU error code.
#ifndef TEXTVAE_CICU_H
#define TEXTVAE_CICU_H

#include <stdint.h>

/// An opened ICU break iterator (word or sentence) for one locale.
typedef struct tvicu_breaker tvicu_breaker;

enum { TVICU_WORD = 0, TVICU_SENTENCE = 1 };

tvicu_breaker *tvicu_breaker_open(int32_t kind, const char *locale, int32_t *status);
void tvicu_breaker_close(tvicu_breaker *breaker);

/// Boundaries of `text` (including 0 and `length`) into `bounds`, and the
/// rule status of the segment ending at each boundary into `statuses`
/// (statuses[0] is unused). Returns the number of boundaries; `capacity`
/// must be at least `length + 1`.
int32_t tvicu_breaker_split(tvicu_breaker *breaker, const uint16_t *text, int32_t length,
                            int32_t *bounds, int32_t *statuses, int32_t capacity, int32_t *status);

/// NFC normalisation. Returns the length of the result; if it exceeds
/// `capacity`, nothing useful is written and the caller retries larger.
int32_t tvicu_nfc(const uint16_t *text, int32_t length, uint16_t *out, int32_t capacity, int32_t *status);

/// Locale-aware lower-casing (u_strToLower), same contract as tvicu_nfc.
int32_t tvicu_lower(const uint16_t *text, int32_t length, const char *locale,
                    uint16_t *out, int32_t capacity, int32_t *status);

/// ICU's name for an error code, for messages.
const char *tvicu_error_name(int32_t status);

#endif
