/* memo_cache.c — a cache backend in plain C99: an in-process list of entries, at most
   `max_entries` (config, default 1000), oldest evicted first. TTLs are ignored: the entries
   live as long as the process. */
#include <pipeline/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
  char* key;
  size_t key_len;
  char* value;
  size_t value_len;
  struct entry* next;
} entry;

typedef struct memo {
  entry* head; /* newest first */
  long count;
  long max_entries;
  long hits;
  long misses;
} memo;

static void put_text(pl_buffer* b, const char* s) {
  b->append(b, s, strlen(s));
}

static void free_entry(entry* e) {
  free(e->key);
  free(e->value);
  free(e);
}

static int32_t memo_create(void* user_data, const pl_host_api* host, const char* config,
                           size_t config_len, void** out, pl_buffer* error) {
  memo* m;
  const char* found;
  (void)user_data;
  (void)host;
  m = (memo*)calloc(1, sizeof(memo));
  if (m == NULL) return PL_RESOURCE_EXHAUSTED;
  m->max_entries = 1000;
  /* A real plugin would use a JSON parser; the config here is {} or {"max_entries": N}. */
  found = config_len > 0 ? strstr(config, "\"max_entries\"") : NULL;
  if (found != NULL) {
    const char* colon = strchr(found, ':');
    m->max_entries = colon != NULL ? strtol(colon + 1, NULL, 10) : 0;
    if (m->max_entries <= 0) {
      free(m);
      put_text(error, "max_entries must be a positive integer");
      return PL_INVALID_ARGUMENT;
    }
  }
  *out = m;
  return PL_OK;
}

static void memo_destroy(void* instance) {
  memo* m = (memo*)instance;
  while (m->head != NULL) {
    entry* next = m->head->next;
    free_entry(m->head);
    m->head = next;
  }
  free(m);
}

static entry** find(memo* m, const char* key, size_t key_len) {
  entry** at = &m->head;
  while (*at != NULL && ((*at)->key_len != key_len || memcmp((*at)->key, key, key_len) != 0)) {
    at = &(*at)->next;
  }
  return at;
}

static int32_t memo_get(void* instance, const char* key, size_t key_len, pl_buffer* value,
                        pl_buffer* error) {
  memo* m = (memo*)instance;
  entry** at = find(m, key, key_len);
  (void)error;
  if (*at == NULL) {
    m->misses++;
    return PL_NOT_FOUND;
  }
  m->hits++;
  value->append(value, (*at)->value, (*at)->value_len);
  return PL_OK;
}

static int32_t memo_erase(void* instance, const char* key, size_t key_len, pl_buffer* error) {
  memo* m = (memo*)instance;
  entry** at = find(m, key, key_len);
  (void)error;
  if (*at != NULL) {
    entry* gone = *at;
    *at = gone->next;
    free_entry(gone);
    m->count--;
  }
  return PL_OK;
}

static int32_t memo_put(void* instance, const char* key, size_t key_len, const char* value,
                        size_t value_len, int64_t ttl_ms, pl_buffer* error) {
  memo* m = (memo*)instance;
  entry* e;
  (void)ttl_ms;
  memo_erase(m, key, key_len, error);
  e = (entry*)calloc(1, sizeof(entry));
  if (e == NULL) return PL_RESOURCE_EXHAUSTED;
  e->key = (char*)malloc(key_len + 1);
  e->value = (char*)malloc(value_len + 1);
  if (e->key == NULL || e->value == NULL) {
    free_entry(e);
    return PL_RESOURCE_EXHAUSTED;
  }
  memcpy(e->key, key, key_len);
  memcpy(e->value, value, value_len);
  e->key_len = key_len;
  e->value_len = value_len;
  e->next = m->head;
  m->head = e;
  m->count++;
  if (m->count > m->max_entries) { /* evict the oldest: the list's tail */
    entry** at = &m->head;
    while ((*at)->next != NULL) at = &(*at)->next;
    free_entry(*at);
    *at = NULL;
    m->count--;
  }
  return PL_OK;
}

static int32_t memo_erase_prefix(void* instance, const char* prefix, size_t prefix_len,
                                 pl_buffer* error) {
  memo* m = (memo*)instance;
  entry** at = &m->head;
  (void)error;
  while (*at != NULL) {
    if ((*at)->key_len >= prefix_len && memcmp((*at)->key, prefix, prefix_len) == 0) {
      entry* gone = *at;
      *at = gone->next;
      free_entry(gone);
      m->count--;
    } else {
      at = &(*at)->next;
    }
  }
  return PL_OK;
}

static int32_t memo_stats(void* instance, pl_buffer* stats_json) {
  memo* m = (memo*)instance;
  char text[128];
  sprintf(text, "{\"entries\":%ld,\"hits\":%ld,\"misses\":%ld}", m->count, m->hits, m->misses);
  put_text(stats_json, text);
  return PL_OK;
}

static const pl_plugin_info info = {sizeof(pl_plugin_info),
                                    PL_ABI_MAJOR,
                                    PL_ABI_MINOR,
                                    0,
                                    "memo_cache",
                                    "1.0.0",
                                    "An in-process cache written in C"};

static pl_cache_vtable vtable;

PL_EXPORT const pl_plugin_info* pipeline_plugin_query_v1(void) {
  return &info;
}

PL_EXPORT int32_t pipeline_plugin_init_v1(const pl_host_api* host, pl_buffer* error) {
  (void)error;
  memset(&vtable, 0, sizeof vtable); /* members this plugin does not set stay NULL */
  vtable.header.struct_size = sizeof vtable;
  vtable.header.kind = PL_KIND_CACHE;
  vtable.header.flags = 0; /* not thread-safe: the host serializes calls on an instance */
  vtable.header.name = "memo";
  vtable.header.version = "1.0.0";
  vtable.header.config_schema_json =
      "{\"type\":\"object\",\"properties\":{\"max_entries\":{\"type\":\"integer\"}}}";
  vtable.header.create = memo_create;
  vtable.header.destroy = memo_destroy;
  vtable.get = memo_get;
  vtable.put = memo_put;
  vtable.erase = memo_erase;
  vtable.erase_prefix = memo_erase_prefix;
  vtable.stats = memo_stats;
  return host->register_component(host->host, &vtable.header);
}
