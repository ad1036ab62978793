// The loadable module file format ("MPDL", version 1): what `mprt pack-module` writes and the
// on-device linker reads. Layout, field by field, in docs/modules.md; the TypeScript twin is
// cli/formats/module.ts. All integers are little-endian; every offset is from the start of the file.
#ifndef MPRT_DL_FORMAT_H
#define MPRT_DL_FORMAT_H

#include <stdint.h>

#define DL_MAGIC_0 ('M')
#define DL_MAGIC_1 ('P')
#define DL_MAGIC_2 ('D')
#define DL_MAGIC_3 ('L')
#define DL_VERSION (1)
#define DL_CLASS_32 (1)         // same value as ELFCLASS32
#define DL_DATA_LSB (1)         // same value as ELFDATA2LSB
#define DL_MACHINE_ARM (40)     // same value as EM_ARM
#define DL_ARCH_V6M (1)         // Thumb-1 only (Cortex-M0/M0+): no B.W, no MOVW/MOVT

#define DL_HASH_LEN (16)

// Header field offsets.
#define DL_H_MAGIC (0)
#define DL_H_VERSION (4)
#define DL_H_CLASS (5)
#define DL_H_DATA (6)
#define DL_H_RESERVED (7)
#define DL_H_MACHINE (8)        // u16
#define DL_H_ARCH (10)          // u16
#define DL_H_FILE_SIZE (12)
#define DL_H_CRC32 (16)         // CRC-32 (IEEE) of bytes [DL_H_CONTENT_HASH, file_size)
#define DL_H_CONTENT_HASH (20)  // first 16 bytes of SHA-256 of bytes [DL_H_ABI, file_size)
#define DL_H_ABI (36)           // ABI identity of the firmware the module was built against
#define DL_H_FLAGS (52)         // must be 0 in version 1
#define DL_H_NAME (56)          // string table offset of the module name
#define DL_H_INIT (60)          // ref of the module init entry, or DL_REF_NONE
#define DL_H_TEXT_OFF (64)
#define DL_H_TEXT_SIZE (68)
#define DL_H_TEXT_ALIGN (72)
#define DL_H_DATA_OFF (76)
#define DL_H_DATA_SIZE (80)
#define DL_H_DATA_ALIGN (84)    // alignment of data+bss in RAM
#define DL_H_BSS_SIZE (88)
#define DL_H_STRTAB_OFF (92)
#define DL_H_STRTAB_SIZE (96)
#define DL_H_IMPORTS_OFF (100)  // n_imports x { u32 name }
#define DL_H_N_IMPORTS (104)
#define DL_H_EXPORTS_OFF (108)  // n_exports x { u32 name, u32 ref }
#define DL_H_N_EXPORTS (112)
#define DL_H_CTORS_OFF (116)    // n_ctors x { u32 ref }, run in order
#define DL_H_N_CTORS (120)
#define DL_H_QSTRS_OFF (124)    // n_qstrs x { u32 name }
#define DL_H_N_QSTRS (128)
#define DL_H_RELOCS_OFF (132)   // n_relocs x { u32 offset, u8 type, u8 place, u16 target }
#define DL_H_N_RELOCS (136)
#define DL_HEADER_SIZE (140)

#define DL_IMPORT_SIZE (4)
#define DL_EXPORT_SIZE (8)
#define DL_CTOR_SIZE (4)
#define DL_QSTR_SIZE (4)
#define DL_RELOC_SIZE (8)

// A "ref" names a place in the module: segment in bits 31..30, offset in bits 29..0 (a Thumb
// function's ref has bit 0 set, as in its address).
#define DL_SEG_TEXT (0)
#define DL_SEG_DATA (1)
#define DL_SEG_BSS (2)
#define DL_REF(seg, off) (((uint32_t)(seg) << 30) | (uint32_t)(off))
#define DL_REF_SEG(ref) ((ref) >> 30)
#define DL_REF_OFF(ref) ((ref) & 0x3fffffffu)
#define DL_REF_NONE (0xffffffffu)

// Relocation types. The addend is the value already at the site (REL style), relative to the
// target: for DL_R_ABS32 against a segment, the word holds the offset into that segment.
#define DL_R_ABS32 (1)          // 32-bit word += S (R_ARM_ABS32, R_ARM_TARGET1)
#define DL_R_THM_CALL (2)       // Thumb BL to an import: imm = S + A - P (R_ARM_THM_CALL)
#define DL_R_QSTR (3)           // 32-bit word += qstr number of qstrs[target]
#define DL_R_QSTR_OBJ (4)       // 32-bit word += qstr object (MP_OBJ_NEW_QSTR) of qstrs[target]

// Relocation place (the segment patched).
#define DL_PLACE_TEXT (0)
#define DL_PLACE_DATA (1)

// Relocation target: an import or qstr index, or one of the module's own segments.
#define DL_TARGET_TEXT (0xfff0)
#define DL_TARGET_DATA (0xfff1)
#define DL_TARGET_BSS (0xfff2)
#define DL_MAX_INDEX (0xffef)

// Limits that keep every computation in 32 bits and bound the loader's work.
#define DL_MAX_FILE (1u << 24)
#define DL_MAX_TEXT (1u << 20)
#define DL_MAX_RAM (1u << 18)
#define DL_MAX_ALIGN (4096)
#define DL_MAX_NAME (32)
#define DL_MAX_QSTR_LEN (255)

#endif // MPRT_DL_FORMAT_H
