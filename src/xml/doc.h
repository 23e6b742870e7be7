/*
 * One input XML file: its original bytes, its libxml2 DOM, and a lazily built
 * source map from DOM elements back to byte offsets in the original text.
 *
 * Parsing is safe by construction: no network (XML_PARSE_NONET), no entity
 * substitution, no DTD loading, and (around each parse) an external entity
 * loader that refuses everything, so a file cannot make kvmlint read another
 * file.  Trusted loads (schemas) keep libxml2's loader.
 *
 * libxml2 records the line where a start tag *ends*; the source map gives the
 * line and column where it starts, and where each attribute starts, which is
 * what a compiler-style message and (later) a byte-range edit need.
 */
#ifndef KVL_XML_DOC_H
#define KVL_XML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <libxml/tree.h>

#include <stdint.h>

typedef struct kvl_srcmap kvl_srcmap;

/*
 * A reference to an element: its ordinal in document order, 1-based, 0 for
 * none.  Unlike an xmlNode pointer it stays valid after kvl_doc_drop_dom(),
 * because positions come from the source map and the original text; so the
 * domain model keeps refs and the engine frees each DOM once its model is
 * built (a run keeps every model of the fleet, not every DOM).
 */
typedef uint32_t kvl_ref;

typedef struct kvl_doc {
    char *path;          /* as shown to the user ("vms/a.xml", "<stdin>") */
    char *text;          /* original bytes, NUL-terminated */
    size_t len;
    xmlDoc *xml;         /* NULL when the file is not well-formed */
    /* when xml == NULL: the first parser error */
    char *error;
    unsigned error_line, error_col;
    kvl_srcmap *map;     /* built on first kvl_doc_pos() call */
} kvl_doc;

typedef struct kvl_pos {
    unsigned line;       /* 1-based; 0 = unknown */
    unsigned col;        /* 1-based, in characters */
    size_t offset;       /* byte offset in text of the tag or attribute */
} kvl_pos;

/* Process-wide libxml2 setup (parser init, no error printing).  Idempotent. */
void kvl_xml_init(void);

/*
 * Parse `len` bytes (copied) into a new kvl_doc.  Never fails for content:
 * a malformed document gives doc->xml == NULL with doc->error set.
 */
kvl_doc *kvl_doc_parse(const char *path, const char *bytes, size_t len);

/*
 * Read and parse a file ("-" is stdin).  Returns NULL when the file cannot be
 * read, with *err set to a message without the path ("cannot open: No such
 * file or directory") that the caller frees.
 */
kvl_doc *kvl_doc_load(const char *file, const char *display, char **err);

void kvl_doc_free(kvl_doc *doc);

/* Where `node` (or its attribute `attr`, when not NULL) starts in the text. */
kvl_pos kvl_doc_pos(kvl_doc *doc, const xmlNode *node, const char *attr);

/*
 * Build the source map and number every element, so that kvl_doc_ref()
 * works.  Idempotent; a no-op for a malformed document.
 */
void kvl_doc_index(kvl_doc *doc);

/* The ref of an element of an indexed document (0 for NULL). */
kvl_ref kvl_doc_ref(const xmlNode *node);

/* Where the element `ref` (or its attribute `attr`) starts; line 0 for 0. */
kvl_pos kvl_doc_ref_pos(kvl_doc *doc, kvl_ref ref, const char *attr);

/* Where it ends: just past the start tag's '>' (past the attribute's closing
 * quote); line 0 for 0 or when the map is unusable. */
kvl_pos kvl_doc_ref_end(kvl_doc *doc, kvl_ref ref, const char *attr);

/* Line and column of byte `off` of the text (a patch boundary, say); line 0
 * when it lies beyond the end. */
kvl_pos kvl_doc_offset_pos(kvl_doc *doc, size_t off);

/*
 * The ordinal of the last element inside `ref` (ref itself when it has no
 * element children): the refs of its subtree are ref..last.  Needs the
 * document to have been indexed while it had its DOM; 0 for 0.
 */
kvl_ref kvl_doc_ref_last(kvl_doc *doc, kvl_ref ref);

/*
 * Byte ranges of an element in doc->text, for byte-range edits (src/fix/).
 * They come from a second scan that pairs start and end tags, run on the
 * first call, so a plain `check` never pays for it.  False when `ref` is 0
 * or out of range, or the document is malformed or its text and DOM
 * disagreed when it was indexed.
 */
typedef struct kvl_span {
    size_t start;       /* the '<' of the start tag */
    size_t stag_end;    /* just past the start tag's '>' */
    size_t close;       /* the '<' of the end tag; for <x/> the '/' of "/>" */
    size_t end;         /* just past the element */
    bool empty;         /* written as <x/> */
    kvl_ref parent;     /* 0 for the root */
} kvl_span;

bool kvl_doc_span(kvl_doc *doc, kvl_ref ref, kvl_span *out);

/* An attribute in a start tag. */
typedef struct kvl_attr_span {
    size_t start;       /* first byte of its name */
    size_t value_start; /* just past the opening quote */
    size_t value_end;   /* the closing quote */
    char quote;         /* ' or " */
} kvl_attr_span;

/* Attribute `name` of element `ref`, matched as written ("xlink:href"). */
bool kvl_doc_attr_span(kvl_doc *doc, kvl_ref ref, const char *name, kvl_attr_span *out);
/* The n-th (0-based) attribute of element `ref`. */
bool kvl_doc_attr_nth(kvl_doc *doc, kvl_ref ref, size_t n, kvl_attr_span *out);
/* Just past the last attribute of the start tag of `ref` (past the element
 * name when it has none): where a new attribute goes.  SIZE_MAX if unknown. */
size_t kvl_doc_attrs_end(kvl_doc *doc, kvl_ref ref);
/* The element's name as written, pointing into doc->text (*len set), or NULL. */
const char *kvl_doc_ref_name(kvl_doc *doc, kvl_ref ref, size_t *len);
/* Number of elements, so refs run 1..count (0 for a malformed document). */
size_t kvl_doc_ref_count(kvl_doc *doc);

/* Free the DOM, keeping the text and source map: refs stay valid. */
void kvl_doc_drop_dom(kvl_doc *doc);

/* Root element's local name, or NULL. */
const char *kvl_doc_root_name(const kvl_doc *doc);

/* Small DOM helpers shared by the loaders (all borrowed pointers). */
const char *kvl_xml_name(const xmlNode *node);            /* local name */
bool kvl_xml_is(const xmlNode *node, const char *name);   /* element named */
/* Attribute value without namespace, or NULL.  Points into the DOM. */
const char *kvl_xml_attr(const xmlNode *node, const char *name);
/* First element child named `name` (NULL: any). */
xmlNode *kvl_xml_child(const xmlNode *node, const char *name);
/* Next element sibling after `node` (any name). */
xmlNode *kvl_xml_next(const xmlNode *node);
/* Text content trimmed of surrounding whitespace; caller frees. */
char *kvl_xml_text(const xmlNode *node);

#endif
