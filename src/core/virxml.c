/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvirt domain and node-device XML to the model, with libxml2's XPath —
 * never by matching strings in the text. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "core/i18n.h"
#include "core/virxml.h"

/* The first node of expr evaluated at node (attribute or element), or NULL. */
static xmlNodePtr
xp_node(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
    xmlXPathObjectPtr res;
    xmlNodePtr found = NULL;

    ctx->node = node;
    res = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (res && res->type == XPATH_NODESET && res->nodesetval && res->nodesetval->nodeNr > 0)
        found = res->nodesetval->nodeTab[0];
    xmlXPathFreeObject(res);
    return found;
}

/* The text of expr's first node, trimmed; NULL when absent or empty. */
static char *
xp_str(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
    xmlNodePtr n = xp_node(ctx, node, expr);
    xmlChar *content;
    char *s = NULL;
    size_t len;
    const char *start;

    if (!n)
        return NULL;
    content = xmlNodeGetContent(n);
    if (!content)
        return NULL;
    start = (const char *)content;
    while (*start == ' ' || *start == '\t' || *start == '\n' || *start == '\r')
        start++;
    len = strlen(start);
    while (len > 0 && strchr(" \t\r\n", start[len - 1]))
        len--;
    if (len > 0)
        s = ccnc_xstrndup(start, len);
    xmlFree(content);
    return s;
}

/* A number (decimal, or hex with 0x) at expr; CCNC_UNKNOWN when absent or
 * not a number in [0, max]. */
static long long
xp_num(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr, long long max)
{
    char *s = xp_str(ctx, node, expr), *end;
    long long v;

    if (!s)
        return CCNC_UNKNOWN;
    errno = 0;
    v = strtoll(s, &end, 0);
    if (errno || end == s || *end || v < 0 || v > max)
        v = CCNC_UNKNOWN;
    free(s);
    return v;
}

/* All nodes of expr at node; caller frees with xmlXPathFreeObject. */
static xmlXPathObjectPtr
xp_all(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
    ctx->node = node;
    return xmlXPathEvalExpression((const xmlChar *)expr, ctx);
}

static int
xp_count(xmlXPathObjectPtr res)
{
    return res && res->type == XPATH_NODESET && res->nodesetval ? res->nodesetval->nodeNr : 0;
}

/* <address domain= bus= slot= function=/> as "0000:03:00.0". */
static char *
pci_address(xmlXPathContextPtr ctx, xmlNodePtr addr)
{
    long long dom = xp_num(ctx, addr, "@domain", 0xffff);
    long long bus = xp_num(ctx, addr, "@bus", 0xff);
    long long slot = xp_num(ctx, addr, "@slot", 0x1f);
    long long fn = xp_num(ctx, addr, "@function", 7);

    if (dom < 0 || bus < 0 || slot < 0 || fn < 0)
        return NULL;
    return ccnc_xasprintf("%04llx:%02llx:%02llx.%llx", dom, bus, slot, fn);
}

static long long
memory_kib(xmlXPathContextPtr ctx, xmlNodePtr root)
{
    static const struct { const char *unit; long long mul, div; } units[] = {
        { "b", 1, 1024 }, { "bytes", 1, 1024 }, { "KB", 1000, 1024 }, { "k", 1, 1 },
        { "KiB", 1, 1 }, { "MB", 1000000, 1024 }, { "M", 1024, 1 }, { "MiB", 1024, 1 },
        { "GB", 1000000000, 1024 }, { "G", 1048576, 1 }, { "GiB", 1048576, 1 },
    };
    long long v = xp_num(ctx, root, "memory", 1LL << 50);
    char *unit = xp_str(ctx, root, "memory/@unit");
    long long r = CCNC_UNKNOWN;

    if (v >= 0 && !unit)
        r = v;
    for (size_t i = 0; v >= 0 && unit && i < CCNC_ARRAY_SIZE(units); i++)
        if (strcmp(unit, units[i].unit) == 0)
            r = v * units[i].mul / units[i].div;
    free(unit);
    return r;
}

/* <teaming type= persistent=/>.  libvirt's schema (domaincommon.rng) allows
 * it in every <interface> (interface-options) and in a PCI <hostdev>
 * (hostdevsubsyspci); the partners are paired once all devices are read. */
static struct ccnc_teaming *
read_teaming(xmlXPathContextPtr ctx, xmlNodePtr n)
{
    struct ccnc_teaming *t;

    if (!xp_node(ctx, n, "teaming"))
        return NULL;
    t = ccnc_xcalloc(1, sizeof(*t));
    t->type = xp_str(ctx, n, "teaming/@type");
    t->persistent = xp_str(ctx, n, "teaming/@persistent");
    return t;
}

static void
read_interface(xmlXPathContextPtr ctx, xmlNodePtr n, struct ccnc_vm *vm)
{
    struct ccnc_vm_nic *nic = ccnc_vm_add_nic(vm);
    char *type = xp_str(ctx, n, "@type");
    xmlNodePtr addr;

    nic->type = ccnc_streq(type, "hostdev") ? ccnc_xstrdup("interface-hostdev") : type;
    if (nic->type != type)
        free(type);
    nic->mac = xp_str(ctx, n, "mac/@address");
    nic->model = xp_str(ctx, n, "model/@type");
    nic->target = xp_str(ctx, n, "target/@dev");
    nic->alias = xp_str(ctx, n, "alias/@name");
    nic->source = xp_str(ctx, n, "source/@bridge");
    if (!nic->source)
        nic->source = xp_str(ctx, n, "source/@network");
    if (!nic->source)
        nic->source = xp_str(ctx, n, "source/@dev");
    addr = xp_node(ctx, n, "source/address[@type='pci']");
    if (addr)
        nic->pci = pci_address(ctx, addr);
    nic->teaming = read_teaming(ctx, n);
}

static void
read_hostdev(xmlXPathContextPtr ctx, xmlNodePtr n, struct ccnc_vm *vm)
{
    struct ccnc_vm_nic *nic = ccnc_vm_add_nic(vm);
    xmlNodePtr addr = xp_node(ctx, n, "source/address");

    nic->type = ccnc_xstrdup("hostdev");
    nic->alias = xp_str(ctx, n, "alias/@name");
    if (addr)
        nic->pci = pci_address(ctx, addr);
    nic->teaming = read_teaming(ctx, n);
}

/* ccnc's lease in an element (its attributes), NULL when n is none. */
static struct ccnc_lease *
read_lease(xmlNodePtr n)
{
    struct ccnc_lease *l;
    xmlChar *v;

    if (!n)
        return NULL;
    l = ccnc_xcalloc(1, sizeof(*l));
    l->since_ms = l->expires_ms = CCNC_UNKNOWN;
    if ((v = xmlGetProp(n, (const xmlChar *)"run"))) {
        l->run = ccnc_xstrdup((const char *)v);
        xmlFree(v);
    }
    if ((v = xmlGetProp(n, (const xmlChar *)"by"))) {
        l->by = ccnc_xstrdup((const char *)v);
        xmlFree(v);
    }
    if ((v = xmlGetProp(n, (const xmlChar *)"since_ms"))) {
        l->since_ms = strtoll((const char *)v, NULL, 10);
        xmlFree(v);
    }
    if ((v = xmlGetProp(n, (const xmlChar *)"expires_ms"))) {
        l->expires_ms = strtoll((const char *)v, NULL, 10);
        xmlFree(v);
    }
    return l;
}

static size_t disk_files(xmlXPathContextPtr ctx, xmlNodePtr root, char ***files);

static int
read_domain(const char *name, xmlXPathContextPtr ctx, xmlNodePtr root, struct ccnc_vm *vm,
            struct ccnc_error *err)
{
    xmlXPathObjectPtr devs;

    ccnc_vm_init(vm);
    vm->name = xp_str(ctx, root, "name");
    if (!vm->name)
        return ccnc_error_set_at(err, CCNC_ERR_PARSE, name, 0,
                                 _("the domain XML has no <name>"));
    vm->uuid = xp_str(ctx, root, "uuid");
    vm->lease = read_lease(xp_node(ctx, root, "metadata/ccnc:lease"));
    /* live XML carries the domain id; a defined-only domain has none */
    vm->state = xp_node(ctx, root, "@id") ? CCNC_VM_RUNNING : CCNC_VM_SHUTOFF;
    vm->memory_kib = memory_kib(ctx, root);
    {
        char *type = xp_str(ctx, root, "@type");
        vm->tcg = type && strcmp(type, "qemu") == 0;
        free(type);
    }
    {
        long long v = xp_num(ctx, root, "vcpu", 1 << 20);
        vm->vcpus = v < 0 ? CCNC_UNKNOWN : (int)v;
    }
    vm->n_disks = disk_files(ctx, root, &vm->disks);
    /* mode is optional in the schema, and subsystem when left out */
    devs = xp_all(ctx, root, "devices/interface | "
                             "devices/hostdev[not(@mode) or @mode='subsystem'][@type='pci']");
    for (int i = 0; i < xp_count(devs); i++) {
        xmlNodePtr n = devs->nodesetval->nodeTab[i];
        if (xmlStrEqual(n->name, (const xmlChar *)"interface"))
            read_interface(ctx, n, vm);
        else
            read_hostdev(ctx, n, vm);
    }
    xmlXPathFreeObject(devs);
    ccnc_vm_pair_teaming(vm);
    return 0;
}

static int
read_nodedev(const char *name, xmlXPathContextPtr ctx, xmlNodePtr root, struct ccnc_virxml *out,
             struct ccnc_error *err)
{
    xmlNodePtr pci = xp_node(ctx, root, "capability[@type='pci']");
    xmlNodePtr net = xp_node(ctx, root, "capability[@type='net']");

    if (pci) {
        struct ccnc_nic *nic = &out->nic;
        long long dom = xp_num(ctx, pci, "domain", 0xffff), bus = xp_num(ctx, pci, "bus", 0xff);
        long long slot = xp_num(ctx, pci, "slot", 0x1f), fn = xp_num(ctx, pci, "function", 7);
        xmlNodePtr vfs, pf;

        out->kind = CCNC_VIRXML_NODEDEV_PCI;
        ccnc_nic_init(nic);
        if (dom < 0 || bus < 0 || slot < 0 || fn < 0)
            return ccnc_error_set_at(err, CCNC_ERR_PARSE, name, xmlGetLineNo(pci),
                                     _("the PCI address of this node device is incomplete "
                                       "or out of range"));
        nic->pci = ccnc_xasprintf("%04llx:%02llx:%02llx.%llx", dom, bus, slot, fn);
        nic->vendor_id = (int)xp_num(ctx, pci, "vendor/@id", 0xffff);
        nic->device_id = (int)xp_num(ctx, pci, "product/@id", 0xffff);
        nic->vendor = xp_str(ctx, pci, "vendor");
        nic->device = xp_str(ctx, pci, "product");
        nic->driver = xp_str(ctx, root, "driver/name");
        nic->iommu_group = (int)xp_num(ctx, pci, "iommuGroup/@number", 1 << 30);
        pf = xp_node(ctx, pci, "capability[@type='phys_function']/address");
        if (pf) {
            nic->is_vf = true;
            nic->pf = pci_address(ctx, pf);
        }
        vfs = xp_node(ctx, pci, "capability[@type='virt_functions']");
        if (vfs) {
            xmlXPathObjectPtr list = xp_all(ctx, vfs, "address");
            long long max = xp_num(ctx, vfs, "@maxCount", 65535);
            nic->has_sriov = true;
            nic->sriov.total_vfs = max < 0 ? CCNC_UNKNOWN : (int)max;
            nic->sriov.num_vfs = xp_count(list);
            xmlXPathFreeObject(list);
        }
        return 0;
    }
    if (net) {
        struct ccnc_link *l = &out->link;
        long long speed;

        out->kind = CCNC_VIRXML_NODEDEV_NET;
        ccnc_link_init(l);
        l->name = xp_str(ctx, net, "interface");
        l->mac = xp_str(ctx, net, "address");
        l->operstate = xp_str(ctx, net, "link/@state");
        speed = xp_num(ctx, net, "link/@speed", 1 << 30);
        l->speed_mbps = speed < 0 ? CCNC_UNKNOWN : (int)speed;
        if (!l->name)
            return ccnc_error_set_at(err, CCNC_ERR_PARSE, name, xmlGetLineNo(net),
                                     _("the net node device has no <interface>"));
        return 0;
    }
    return ccnc_error_set_at(err, CCNC_ERR_PARSE, name, xmlGetLineNo(root),
                             _("this node device is neither a PCI device nor a network "
                               "interface; ccnc reads only those"));
}

/* libvirt never writes a DOCTYPE; one here can only define entities, whose
 * expansion can take gigabytes (a billion laughs): such XML is refused
 * before libxml2 sees it. */
static bool
has_doctype(const char *xml, size_t len)
{
    static const char tag[] = "<!DOCTYPE";

    for (size_t i = 0; i + sizeof(tag) - 1 <= len; i++)
        if (xml[i] == '<' && strncmp(xml + i, tag, sizeof(tag) - 1) == 0)
            return true;
    return false;
}

void
ccnc_virxml_init(void)
{
    xmlInitParser();
}

int
ccnc_virxml_parse(const char *name, const char *xml, size_t len, struct ccnc_virxml *out,
                  struct ccnc_error *err)
{
    xmlDocPtr doc;
    xmlXPathContextPtr ctx = NULL;
    xmlNodePtr root;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (len > INT32_MAX)
        return ccnc_error_set_at(err, CCNC_ERR_PARSE, name, 0, _("the XML is too large"));
    if (has_doctype(xml, len))
        return ccnc_error_set_at(err, CCNC_ERR_PARSE, name, 0,
                                 _("the XML has a DOCTYPE, which libvirt never writes: refused"));
    /* no network, no entity expansion: the XML comes from elsewhere */
    doc = xmlReadMemory(xml, (int)len, name, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                        XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        char *msg = ccnc_xstrdup(e && e->message ? e->message : "");
        size_t n = strlen(msg);
        while (n > 0 && msg[n - 1] == '\n')
            msg[--n] = '\0';
        ccnc_error_set_at(err, CCNC_ERR_PARSE, name, e ? e->line : 0,
                          _("this is not well-formed XML: %s"), msg);
        free(msg);
        return -1;
    }
    root = xmlDocGetRootElement(doc);
    ctx = xmlXPathNewContext(doc);
    if (ctx)
        xmlXPathRegisterNs(ctx, (const xmlChar *)"ccnc", (const xmlChar *)CCNC_LEASE_NS);
    if (!root || !ctx) {
        ccnc_error_set_at(err, CCNC_ERR_PARSE, name, 0, _("the XML document is empty"));
    } else if (xmlStrEqual(root->name, (const xmlChar *)"domain")) {
        out->kind = CCNC_VIRXML_DOMAIN;
        rc = read_domain(name, ctx, root, &out->vm, err);
    } else if (xmlStrEqual(root->name, (const xmlChar *)"device")) {
        rc = read_nodedev(name, ctx, root, out, err);
    } else {
        ccnc_error_set_at(err, CCNC_ERR_PARSE, name, xmlGetLineNo(root),
                          _("<%s> is neither a libvirt domain (virsh dumpxml) nor a node "
                            "device (virsh nodedev-dumpxml)"), (const char *)root->name);
    }
    if (rc < 0)
        ccnc_virxml_clear(out);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return rc;
}

void
ccnc_virxml_clear(struct ccnc_virxml *x)
{
    ccnc_vm_clear(&x->vm);
    ccnc_nic_clear(&x->nic);
    ccnc_link_clear(&x->link);
    memset(x, 0, sizeof(*x));
}

/* Domain XML as a document, no network and no DOCTYPE (NULL for those,
 * and for XML that cannot be read). */
static xmlDocPtr
domain_doc(const char *domain_xml, size_t len)
{
    return has_doctype(domain_xml, len)
               ? NULL
               : xmlReadMemory(domain_xml, (int)len, "domain.xml", NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

char *
ccnc_virxml_device_xml(const char *domain_xml, size_t len, const char *mac, const char *pci,
                       char **host_pci, struct ccnc_error *err)
{
    xmlDocPtr doc = domain_doc(domain_xml, len);
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr devs;
    xmlNodePtr found = NULL;
    char *out = NULL;

    if (!doc) {
        ccnc_error_set(err, CCNC_ERR_PARSE, _("the domain XML is not well-formed"));
        return NULL;
    }
    ctx = xmlXPathNewContext(doc);
    devs = xp_all(ctx, xmlDocGetRootElement(doc), "devices/interface | devices/hostdev");
    for (int i = 0; i < xp_count(devs) && !found; i++) {
        xmlNodePtr n = devs->nodesetval->nodeTab[i];
        char *m = xp_str(ctx, n, "mac/@address");
        xmlNodePtr addr = xp_node(ctx, n, "source/address");
        char *p = addr ? pci_address(ctx, addr) : NULL;
        if ((mac && m && strcasecmp(m, mac) == 0) || (pci && p && strcmp(p, pci) == 0)) {
            found = n;
            if (host_pci) {
                *host_pci = p;
                p = NULL;
            }
        }
        free(m);
        free(p);
    }
    if (found) {
        xmlNodePtr copy = xmlCopyNode(found, 1);
        xmlBufferPtr buf = xmlBufferCreate();
        /* live-only elements: libvirt assigns them again */
        for (xmlNodePtr c = copy->children, next; c; c = next) {
            next = c->next;
            if (c->type == XML_ELEMENT_NODE && (xmlStrEqual(c->name, (const xmlChar *)"alias") ||
                                                xmlStrEqual(c->name, (const xmlChar *)"target"))) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            }
        }
        xmlNodeDump(buf, doc, copy, 0, 0);
        out = ccnc_xstrdup((const char *)xmlBufferContent(buf));
        xmlBufferFree(buf);
        xmlFreeNode(copy);
    } else {
        ccnc_error_set(err, CCNC_ERR_LIBVIRT, _("the VM has no NIC with MAC %s"),
                       mac ? mac : pci ? pci : "?");
    }
    xmlXPathFreeObject(devs);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return out;
}

/* The image files of the domain's disks (a CD-ROM's image need not be
 * shared; a disk's must), NULL-terminated, and how many. */
static size_t
disk_files(xmlXPathContextPtr ctx, xmlNodePtr root, char ***files)
{
    xmlXPathObjectPtr srcs = xp_all(ctx, root,
                                    "devices/disk[not(@device) or @device='disk' or "
                                    "@device='lun']/source/@file");
    size_t n = 0;

    *files = ccnc_xcalloc((size_t)xp_count(srcs) + 1, sizeof(char *));
    for (int i = 0; i < xp_count(srcs); i++) {
        xmlChar *v = xmlNodeGetContent(srcs->nodesetval->nodeTab[i]);
        if (v && *v)
            (*files)[n++] = ccnc_xstrdup((const char *)v);
        xmlFree(v);
    }
    xmlXPathFreeObject(srcs);
    return n;
}

size_t
ccnc_virxml_disk_files(const char *domain_xml, size_t len, char ***files)
{
    xmlDocPtr doc = domain_doc(domain_xml, len);
    xmlXPathContextPtr ctx;
    size_t n;

    *files = NULL;
    if (!doc)
        return 0;
    ctx = xmlXPathNewContext(doc);
    n = disk_files(ctx, xmlDocGetRootElement(doc), files);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return n;
}

int
ccnc_virxml_domain_target(const char *domain_xml, size_t len, struct ccnc_virxml_target *t)
{
    xmlDocPtr doc = domain_doc(domain_xml, len);
    xmlXPathContextPtr ctx;
    xmlNodePtr root;

    memset(t, 0, sizeof(*t));
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || !xmlStrEqual(root->name, (const xmlChar *)"domain")) {
        xmlFreeDoc(doc);
        return -1;
    }
    ctx = xmlXPathNewContext(doc);
    t->virttype = xp_str(ctx, root, "@type");
    t->arch = xp_str(ctx, root, "os/type/@arch");
    t->machine = xp_str(ctx, root, "os/type/@machine");
    t->emulator = xp_str(ctx, root, "devices/emulator");
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return 0;
}

void
ccnc_virxml_target_clear(struct ccnc_virxml_target *t)
{
    free(t->virttype);
    free(t->arch);
    free(t->machine);
    free(t->emulator);
    memset(t, 0, sizeof(*t));
}

/* <address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>
 * under parent, from "0000:03:00.0" (or "03:00.0"). */
static int
add_pci_address(xmlNodePtr parent, const char *pci, bool typed, struct ccnc_error *err)
{
    unsigned dom = 0, bus, slot, fn;
    char tail, buf[16];
    xmlNodePtr a;

    if (sscanf(pci, "%x:%x:%x.%x%c", &dom, &bus, &slot, &fn, &tail) != 4) {
        dom = 0;
        if (sscanf(pci, "%x:%x.%x%c", &bus, &slot, &fn, &tail) != 3)
            return ccnc_error_set(err, CCNC_ERR_CONFIG,
                                  _("'%s' is not a PCI address (like 0000:03:00.0)"), pci);
    }
    if (dom > 0xffff || bus > 0xff || slot > 0x1f || fn > 7)
        return ccnc_error_set(err, CCNC_ERR_CONFIG,
                              _("'%s' is not a PCI address (like 0000:03:00.0)"), pci);
    a = xmlNewChild(parent, NULL, BAD_CAST "address", NULL);
    if (typed)
        xmlNewProp(a, BAD_CAST "type", BAD_CAST "pci");
    snprintf(buf, sizeof(buf), "0x%04x", dom);
    xmlNewProp(a, BAD_CAST "domain", BAD_CAST buf);
    snprintf(buf, sizeof(buf), "0x%02x", bus);
    xmlNewProp(a, BAD_CAST "bus", BAD_CAST buf);
    snprintf(buf, sizeof(buf), "0x%02x", slot);
    xmlNewProp(a, BAD_CAST "slot", BAD_CAST buf);
    snprintf(buf, sizeof(buf), "0x%x", fn);
    xmlNewProp(a, BAD_CAST "function", BAD_CAST buf);
    return 0;
}

char *
ccnc_virxml_nic_xml(const struct ccnc_virxml_nic *n, struct ccnc_error *err)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root, src;
    xmlBufferPtr buf;
    char *out = NULL;

    if (n->network && n->mac) {
        /* a VF that libvirt picks from its hostdev network, MAC pinned */
        root = xmlNewNode(NULL, BAD_CAST "interface");
        xmlNewProp(root, BAD_CAST "type", BAD_CAST "network");
        xmlNewProp(xmlNewChild(root, NULL, BAD_CAST "mac", NULL), BAD_CAST "address",
                   BAD_CAST n->mac);
        xmlNewProp(xmlNewChild(root, NULL, BAD_CAST "source", NULL), BAD_CAST "network",
                   BAD_CAST n->network);
        src = NULL;
    } else if (n->pci && n->mac) {
        /* a VF or port with its MAC pinned: libvirt sets it before the guest
         * sees the device */
        root = xmlNewNode(NULL, BAD_CAST "interface");
        xmlNewProp(root, BAD_CAST "type", BAD_CAST "hostdev");
        xmlNewProp(root, BAD_CAST "managed", BAD_CAST "yes");
        xmlNewProp(xmlNewChild(root, NULL, BAD_CAST "mac", NULL), BAD_CAST "address",
                   BAD_CAST n->mac);
        src = xmlNewChild(root, NULL, BAD_CAST "source", NULL);
        if (n->vlan > 0) {
            char id[16];
            snprintf(id, sizeof(id), "%d", n->vlan);
            xmlNewProp(xmlNewChild(xmlNewChild(root, NULL, BAD_CAST "vlan", NULL), NULL,
                                   BAD_CAST "tag", NULL),
                       BAD_CAST "id", BAD_CAST id);
        }
    } else if (n->pci) {
        root = xmlNewNode(NULL, BAD_CAST "hostdev");
        xmlNewProp(root, BAD_CAST "mode", BAD_CAST "subsystem");
        xmlNewProp(root, BAD_CAST "type", BAD_CAST "pci");
        xmlNewProp(root, BAD_CAST "managed", BAD_CAST "yes");
        src = xmlNewChild(root, NULL, BAD_CAST "source", NULL);
    } else if (n->model && n->bridge) {
        root = xmlNewNode(NULL, BAD_CAST "interface");
        xmlNewProp(root, BAD_CAST "type", BAD_CAST "bridge");
        if (n->mac)
            xmlNewProp(xmlNewChild(root, NULL, BAD_CAST "mac", NULL), BAD_CAST "address",
                       BAD_CAST n->mac);
        xmlNewProp(xmlNewChild(root, NULL, BAD_CAST "source", NULL), BAD_CAST "bridge",
                   BAD_CAST n->bridge);
        xmlNewProp(xmlNewChild(root, NULL, BAD_CAST "model", NULL), BAD_CAST "type",
                   BAD_CAST n->model);
        src = NULL;
    } else {
        xmlFreeDoc(doc);
        ccnc_error_set(err, CCNC_ERR_CONFIG, _("a NIC needs a PCI address, a network and a "
                                               "MAC, or a model and a bridge"));
        return NULL;
    }
    xmlDocSetRootElement(doc, root);
    if (src && add_pci_address(src, n->pci, n->mac != NULL, err) < 0) {
        xmlFreeDoc(doc);
        return NULL;
    }
    buf = xmlBufferCreate();
    if (xmlNodeDump(buf, doc, root, 0, 0) >= 0)
        out = ccnc_xasprintf("%s\n", (const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    xmlFreeDoc(doc);
    if (!out)
        ccnc_error_set(err, CCNC_ERR_INTERNAL, _("cannot write the NIC's XML"));
    return out;
}

/* --- ccnc's lease ---------------------------------------------------------------- */

static void
put_attr(char **out, const char *name, const char *value)
{
    char *esc = ccnc_xmalloc(strlen(value) * 6 + 1), *o = esc, *n;

    for (const char *p = value; *p; p++) {
        switch (*p) {
        case '&': o = stpcpy(o, "&amp;"); break;
        case '<': o = stpcpy(o, "&lt;"); break;
        case '>': o = stpcpy(o, "&gt;"); break;
        case '"': o = stpcpy(o, "&quot;"); break;
        default: *o++ = *p; break;
        }
    }
    *o = '\0';
    n = ccnc_xasprintf("%s %s=\"%s\"", *out, name, esc);
    free(esc);
    free(*out);
    *out = n;
}

char *
ccnc_virxml_lease_xml(const struct ccnc_lease *l)
{
    char *x = ccnc_xstrdup("<lease"), *n, num[32];

    put_attr(&x, "run", l->run ? l->run : "");
    put_attr(&x, "by", l->by ? l->by : "");
    snprintf(num, sizeof(num), "%lld", l->since_ms);
    put_attr(&x, "since_ms", num);
    snprintf(num, sizeof(num), "%lld", l->expires_ms);
    put_attr(&x, "expires_ms", num);
    n = ccnc_xasprintf("%s/>", x);
    free(x);
    return n;
}

struct ccnc_lease *
ccnc_virxml_lease_parse(const char *xml, size_t len)
{
    xmlDocPtr doc;
    xmlNodePtr root;
    struct ccnc_lease *l = NULL;

    if (!xml || len > INT32_MAX || has_doctype(xml, len))
        return NULL;
    doc = xmlReadMemory(xml, (int)len, "lease.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (root && xmlStrEqual(root->name, (const xmlChar *)"lease"))
        l = read_lease(root);
    xmlFreeDoc(doc);
    return l;
}
