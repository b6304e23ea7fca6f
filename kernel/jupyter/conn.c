/* conn.c - reads the Jupyter connection file (see conn.h).
 * The file is written by the front end (jupyter_client) and trusted as far as its structure
 * goes, but every field is still checked: a missing port or an unknown signature scheme is
 * an error that main() reports before binding anything. Only hmac-sha256 is supported (the
 * only scheme jupyter_client writes); an empty key means unsigned messages. */
#include "conn.h"
#include "mem.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const chan_names[CONN_NCHANNELS] = {"shell", "control", "stdin", "iopub", "hb"};
static const char *const port_keys[CONN_NCHANNELS] = {"shell_port", "control_port", "stdin_port",
                                                      "iopub_port", "hb_port"};

const char *conn_channel_name(int ch)
{
    return (ch >= 0 && ch < CONN_NCHANNELS) ? chan_names[ch] : "?";
}

static int get_str(json_t *root, const char *k, const char *def, char *out, size_t n, err_t *err)
{
    json_t *v = json_object_get(root, k);
    const char *s = def;
    if (v) {
        if (!json_is_string(v))
            return err_set(err, PARC_EVALUE, (span_t){0}, "connection file: %s is not a string", k);
        s = json_string_value(v);
    }
    if (!s) return err_set(err, PARC_EVALUE, (span_t){0}, "connection file: no %s", k);
    if (strlen(s) >= n)
        return err_set(err, PARC_EVALUE, (span_t){0}, "connection file: %s is too long", k);
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

static int check(json_t *root, conn_t *c, err_t *err)
{
    if (!json_is_object(root))
        return err_set(err, PARC_EVALUE, (span_t){0}, "connection file: not a JSON object");
    if (get_str(root, "transport", "tcp", c->transport, sizeof c->transport, err) ||
        get_str(root, "ip", "127.0.0.1", c->ip, sizeof c->ip, err) ||
        get_str(root, "signature_scheme", "hmac-sha256", c->scheme, sizeof c->scheme, err))
        return err->code;
    if (strcmp(c->transport, "tcp") != 0 && strcmp(c->transport, "ipc") != 0)
        return err_set(err, PARC_EVALUE, (span_t){0}, "connection file: unknown transport '%s'",
                       c->transport);
    if (strcmp(c->scheme, "hmac-sha256") != 0)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "connection file: unsupported signature_scheme '%s'", c->scheme);
    for (int i = 0; i < CONN_NCHANNELS; i++) {
        json_t *v = json_object_get(root, port_keys[i]);
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 65535)
            return err_set(err, PARC_EVALUE, (span_t){0}, "connection file: bad or missing %s",
                           port_keys[i]);
        c->ports[i] = (int)json_integer_value(v);
    }
    json_t *k = json_object_get(root, "key");
    if (k && !json_is_string(k))
        return err_set(err, PARC_EVALUE, (span_t){0}, "connection file: key is not a string");
    const char *ks = k ? json_string_value(k) : "";
    c->key = mem_strndup(ks, strlen(ks));
    if (!c->key) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    return 0;
}

int conn_load(const char *path, conn_t *c, err_t *err)
{
    json_error_t je;
    memset(c, 0, sizeof *c);
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return err_set(err, PARC_EIO, (span_t){0}, "cannot read connection file %s: %s", path,
                       je.text);
    int rc = check(root, c, err);
    json_decref(root);
    if (rc) conn_free(c);
    return rc;
}

void conn_free(conn_t *c)
{
    if (!c) return;
    if (c->key) {
        memset(c->key, 0, strlen(c->key));
        mem_free(c->key);
    }
    c->key = NULL;
}

int conn_endpoint(const conn_t *c, int ch, char *buf, size_t n)
{
    int k;
    if (ch < 0 || ch >= CONN_NCHANNELS) return -1;
    if (strcmp(c->transport, "ipc") == 0)
        k = snprintf(buf, n, "ipc://%s-%d", c->ip, c->ports[ch]);
    else
        k = snprintf(buf, n, "tcp://%s:%d", c->ip, c->ports[ch]);
    return (k < 0 || (size_t)k >= n) ? -1 : 0;
}
