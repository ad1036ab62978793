// Intrusive circular doubly linked lists with a sentinel node.
#include "rtos_kernel.h"

void rtos_list_init(rtos_list_t *list) {
    list->end.next = &list->end;
    list->end.prev = &list->end;
    list->end.owner = NULL;
    list->end.container = list;
    list->end.key = 0;
    list->count = 0;
}

void rtos_node_init(rtos_node_t *node, void *owner) {
    node->next = NULL;
    node->prev = NULL;
    node->owner = owner;
    node->container = NULL;
    node->key = 0;
}

static void insert_before(rtos_list_t *list, rtos_node_t *pos, rtos_node_t *node) {
    node->next = pos;
    node->prev = pos->prev;
    pos->prev->next = node;
    pos->prev = node;
    node->container = list;
    list->count++;
}

void rtos_list_insert_tail(rtos_list_t *list, rtos_node_t *node) {
    configASSERT(node->container == NULL);
    insert_before(list, &list->end, node);
}

void rtos_list_insert_ordered(rtos_list_t *list, rtos_node_t *node, TickType_t base) {
    configASSERT(node->container == NULL);
    TickType_t rel = node->key - base;
    rtos_node_t *pos = list->end.next;
    while (pos != &list->end && (TickType_t)(pos->key - base) <= rel) {
        pos = pos->next;
    }
    insert_before(list, pos, node);
}

void rtos_list_remove(rtos_node_t *node) {
    rtos_list_t *list = node->container;
    if (list == NULL) {
        return;
    }
    node->prev->next = node->next;
    node->next->prev = node->prev;
    node->next = NULL;
    node->prev = NULL;
    node->container = NULL;
    list->count--;
}
