/* log.h - the kernel's and engines' log lines on stderr. Front ends show a kernel's stderr
 * to the person (jupyter console prints it between prompts), so routine news (engines
 * started, connection file) is written only when PARC_DEBUG is set; warnings (a dropped
 * message, a refused comm, an engine that died) are always written. */
#ifndef PARC_LOG_H
#define PARC_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
