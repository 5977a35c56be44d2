#include "CICU.h"

#include <stdlib.h>
#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utypes.h>

struct tvicu_breaker {
    UBreakIterator *iterator;
};

tvicu_breaker *tvicu_breaker_open(int32_t kind, const char *locale, int32_t *status) {
    UErrorCode err = U_ZERO_ERROR;
    UBreakIterator *it = ubrk_open(kind == TVICU_SENTENCE ? UBRK_SENTENCE : UBRK_WORD, locale, NULL, 0, &err);
    *status = err;
    if (U_FAILURE(err)) return NULL;
    tvicu_breaker *b = malloc(sizeof *b);
    if (b == NULL) { ubrk_close(it); *status = U_MEMORY_ALLOCATION_ERROR; return NULL; }
    b->iterator = it;
    return b;
}

void tvicu_breaker_close(tvicu_breaker *breaker) {
    if (breaker == NULL) return;
    ubrk_close(breaker->iterator);
    free(breaker);
}

int32_t tvicu_breaker_split(tvicu_breaker *breaker, const uint16_t *text, int32_t length,
                            int32_t *bounds, int32_t *statuses, int32_t capacity, int32_t *status) {
    UErrorCode err = U_ZERO_ERROR;
    ubrk_setText(breaker->iterator, (const UChar *)text, length, &err);
    *status = err;
    if (U_FAILURE(err)) return 0;
    int32_t n = 0;
    for (int32_t p = ubrk_first(breaker->iterator); p != UBRK_DONE && n < capacity; p = ubrk_next(breaker->iterator)) {
        bounds[n] = p;
        statuses[n] = ubrk_getRuleStatus(breaker->iterator);
        n++;
    }
    return n;
}

int32_t tvicu_nfc(const uint16_t *text, int32_t length, uint16_t *out, int32_t capacity, int32_t *status) {
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&err);
    if (U_FAILURE(err)) { *status = err; return 0; }
    int32_t n = unorm2_normalize(nfc, (const UChar *)text, length, (UChar *)out, capacity, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR) err = U_ZERO_ERROR;
    *status = err;
    return n;
}

int32_t tvicu_lower(const uint16_t *text, int32_t length, const char *locale,
                    uint16_t *out, int32_t capacity, int32_t *status) {
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = u_strToLower((UChar *)out, capacity, (const UChar *)text, length, locale, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR) err = U_ZERO_ERROR;
    *status = err;
    return n;
}

const char *tvicu_error_name(int32_t status) {
    return u_errorName((UErrorCode)status);
}
