// DecoderTests.swift — the instruction table and RVC expansion against the
// real assembler: every pair below was produced by riscv64-unknown-elf-as
// and objdump (Debian binutils 2.40) from the same source line.

import Testing
@testable import RISCV

@Suite("Decoder")
struct DecoderTests {
    @Test("no two table entries match the same word")
    func noOverlap() {
        let t = Decoder.patterns
        for i in t.indices {
            for j in t.indices where j > i {
                let a = t[i], b = t[j]
                let overlap = (a.match ^ b.match) & a.mask & b.mask == 0
                #expect(!overlap, "\(a.mnemonic) overlaps \(b.mnemonic)")
            }
        }
    }

    @Test("every entry's match has no bits outside its mask")
    func matchInsideMask() {
        for p in Decoder.patterns { #expect(p.match & ~p.mask == 0, "\(p.mnemonic)") }
    }

    static let golden: [(UInt32, String)] = [
        (0xfffff537, "lui"),
        (0x80000297, "auipc"),
        (0x001000ef, "jal"),
        (0x80038367, "jalr"),
        (0x80b50063, "beq"),
        (0x7eb51fe3, "bne"),
        (0x00944463, "blt"),
        (0x00945463, "bge"),
        (0x0062e463, "bltu"),
        (0x0062f463, "bgeu"),
        (0xfff58503, "lb"),
        (0x7ff59503, "lh"),
        (0x8005a503, "lw"),
        (0x00813503, "ld"),
        (0x00054503, "lbu"),
        (0x00055503, "lhu"),
        (0x00056503, "lwu"),
        (0xfea58fa3, "sb"),
        (0x7ea59fa3, "sh"),
        (0x80a5a023, "sw"),
        (0x00113423, "sd"),
        (0x80050513, "addi"),
        (0xfff5a513, "slti"),
        (0x0015b513, "sltiu"),
        (0xfff5c513, "xori"),
        (0x7ff5e513, "ori"),
        (0x0ff5f513, "andi"),
        (0x03f59513, "slli"),
        (0x03f5d513, "srli"),
        (0x43f5d513, "srai"),
        (0x00c58533, "add"),
        (0x40c58533, "sub"),
        (0x00c59533, "sll"),
        (0x00c5a533, "slt"),
        (0x00c5b533, "sltu"),
        (0x00c5c533, "xor"),
        (0x00c5d533, "srl"),
        (0x40c5d533, "sra"),
        (0x00c5e533, "or"),
        (0x00c5f533, "and"),
        (0xfff5851b, "addiw"),
        (0x01f5951b, "slliw"),
        (0x01f5d51b, "srliw"),
        (0x41f5d51b, "sraiw"),
        (0x00c5853b, "addw"),
        (0x40c5853b, "subw"),
        (0x00c5953b, "sllw"),
        (0x00c5d53b, "srlw"),
        (0x40c5d53b, "sraw"),
        (0x0330000f, "fence"),
        (0x0000100f, "fence.i"),
        (0x00000073, "ecall"),
        (0x00100073, "ebreak"),
        (0x10200073, "sret"),
        (0x30200073, "mret"),
        (0x10500073, "wfi"),
        (0x12b50073, "sfence.vma"),
        (0x18059573, "csrrw"),
        (0x10002573, "csrrs"),
        (0x3045b573, "csrrc"),
        (0x340fd573, "csrrwi"),
        (0x10416573, "csrrsi"),
        (0x10417573, "csrrci"),
        (0x02c58533, "mul"),
        (0x02c59533, "mulh"),
        (0x02c5a533, "mulhsu"),
        (0x02c5b533, "mulhu"),
        (0x02c5c533, "div"),
        (0x02c5d533, "divu"),
        (0x02c5e533, "rem"),
        (0x02c5f533, "remu"),
        (0x02c5853b, "mulw"),
        (0x02c5c53b, "divw"),
        (0x02c5d53b, "divuw"),
        (0x02c5e53b, "remw"),
        (0x02c5f53b, "remuw"),
        (0x1005a52f, "lr.w"),
        (0x18c5a52f, "sc.w"),
        (0x0cc5a52f, "amoswap.w"),
        (0x00c5a52f, "amoadd.w"),
        (0x20c5a52f, "amoxor.w"),
        (0x60c5a52f, "amoand.w"),
        (0x40c5a52f, "amoor.w"),
        (0x80c5a52f, "amomin.w"),
        (0xa0c5a52f, "amomax.w"),
        (0xc0c5a52f, "amominu.w"),
        (0xe6c5a52f, "amomaxu.w"),
        (0x1405b52f, "lr.d"),
        (0x1ac5b52f, "sc.d"),
        (0x08c5b52f, "amoswap.d"),
        (0x00c5b52f, "amoadd.d"),
        (0x20c5b52f, "amoxor.d"),
        (0x60c5b52f, "amoand.d"),
        (0x40c5b52f, "amoor.d"),
        (0x80c5b52f, "amomin.d"),
        (0xa0c5b52f, "amomax.d"),
        (0xc0c5b52f, "amominu.d"),
        (0xe0c5b52f, "amomaxu.d"),
    ]

    @Test("assembled words decode to their mnemonics", arguments: golden.indices)
    func goldenWord(_ i: Int) {
        let (word, mnemonic) = Self.golden[i]
        #expect(Decoder.pattern(for: word)?.mnemonic == mnemonic, "word \(String(word, radix: 16))")
    }

    @Test("immediates at their extremes")
    func immediates() {
        // lui a0, 0xfffff
        #expect(Decoder.decode(0xfffff537).imm == Int32(bitPattern: 0xffff_f000))
        // jal ra, .+2048
        #expect(Decoder.decode(0x001000ef).imm == 2048)
        // jalr t1, -2048(t2)
        let jalr = Decoder.decode(0x80038367)
        #expect(jalr.imm == -2048 && jalr.rs1 == 7 && jalr.rd == 6)
        // beq a0, a1, .-4096
        #expect(Decoder.decode(0x80b50063).imm == -4096)
        // sw a0, -2048(a1)
        #expect(Decoder.decode(0x80a5a023).imm == -2048)
        // slli a0, a1, 63
        #expect(Decoder.decode(0x03f59513).imm == 63)
        // csrrw a0, satp, a1
        #expect(Decoder.decode(0x18059573).imm == 0x180)
    }

    @Test("writes to x0 go to the sink register")
    func sink() {
        // addi x0, x0, 0 (nop)
        #expect(Decoder.decode(0x00000013).rd == Hart.sinkRegister)
    }

    /// Every F and D instruction, from `riscv64-unknown-elf-as -march=rv64g`
    /// (a1/a2/a3 sources, a0/fa0 destination; fmsub.s with rtz, fnmadd.d with rmm).
    static let floatGolden: [(UInt32, String)] = [
        (0xffc5a507, "flw"),
        (0x0085b507, "fld"),
        (0xfea5ae27, "fsw"),
        (0x00a5b427, "fsd"),
        (0x68c5f543, "fmadd.s"),
        (0x68c59547, "fmsub.s"),
        (0x68c5f54b, "fnmsub.s"),
        (0x68c5f54f, "fnmadd.s"),
        (0x00c5f553, "fadd.s"),
        (0x08c5f553, "fsub.s"),
        (0x10c5f553, "fmul.s"),
        (0x18c5f553, "fdiv.s"),
        (0x5805f553, "fsqrt.s"),
        (0x20c58553, "fsgnj.s"),
        (0x20c59553, "fsgnjn.s"),
        (0x20c5a553, "fsgnjx.s"),
        (0x28c58553, "fmin.s"),
        (0x28c59553, "fmax.s"),
        (0xc005f553, "fcvt.w.s"),
        (0xc015f553, "fcvt.wu.s"),
        (0xc025f553, "fcvt.l.s"),
        (0xc035f553, "fcvt.lu.s"),
        (0xd005f553, "fcvt.s.w"),
        (0xd015f553, "fcvt.s.wu"),
        (0xd025f553, "fcvt.s.l"),
        (0xd035f553, "fcvt.s.lu"),
        (0xe0058553, "fmv.x.w"),
        (0xf0058553, "fmv.w.x"),
        (0xa0c5a553, "feq.s"),
        (0xa0c59553, "flt.s"),
        (0xa0c58553, "fle.s"),
        (0xe0059553, "fclass.s"),
        (0x6ac5f543, "fmadd.d"),
        (0x6ac5f547, "fmsub.d"),
        (0x6ac5f54b, "fnmsub.d"),
        (0x6ac5c54f, "fnmadd.d"),
        (0x02c5f553, "fadd.d"),
        (0x0ac5f553, "fsub.d"),
        (0x12c5f553, "fmul.d"),
        (0x1ac5f553, "fdiv.d"),
        (0x5a05f553, "fsqrt.d"),
        (0x22c58553, "fsgnj.d"),
        (0x22c59553, "fsgnjn.d"),
        (0x22c5a553, "fsgnjx.d"),
        (0x2ac58553, "fmin.d"),
        (0x2ac59553, "fmax.d"),
        (0xc205f553, "fcvt.w.d"),
        (0xc215f553, "fcvt.wu.d"),
        (0xc225f553, "fcvt.l.d"),
        (0xc235f553, "fcvt.lu.d"),
        (0xd2058553, "fcvt.d.w"),
        (0xd2158553, "fcvt.d.wu"),
        (0xd225f553, "fcvt.d.l"),
        (0xd235f553, "fcvt.d.lu"),
        (0xe2058553, "fmv.x.d"),
        (0xf2058553, "fmv.d.x"),
        (0xa2c5a553, "feq.d"),
        (0xa2c59553, "flt.d"),
        (0xa2c58553, "fle.d"),
        (0xe2059553, "fclass.d"),
        (0x4015f553, "fcvt.s.d"),
        (0x42058553, "fcvt.d.s"),
    ]

    @Test("assembled F and D words decode to their mnemonics", arguments: floatGolden.indices)
    func floatGoldenWord(_ i: Int) {
        let (word, mnemonic) = Self.floatGolden[i]
        #expect(Decoder.pattern(for: word)?.mnemonic == mnemonic, "word \(String(word, radix: 16))")
    }

    @Test("FP fields: rs3 and rm in pad1; an FP rd of 0 is f0, an integer rd of 0 the sink")
    func floatFields() {
        let fmsub = Decoder.decode(0x68c59547)   // fmsub.s fa0,fa1,fa2,fa3,rtz
        #expect(fmsub.op == .fmsub_s && fmsub.rd == 10 && fmsub.rs1 == 11 && fmsub.rs2 == 12)
        #expect(fmsub.rs3 == 13 && fmsub.rm == 1)
        #expect(Decoder.decode(0x0005a007).rd == 0, "flw f0")           // flw ft0,0(a1)
        #expect(Decoder.decode(0x00c5f053).rd == 0, "fadd.s f0")         // fadd.s ft0,fa1,fa2
        #expect(Decoder.decode(0xe0058053).rd == Hart.sinkRegister)     // fmv.x.w zero,fa1
        #expect(Decoder.decode(0xa0c5a053).rd == Hart.sinkRegister)     // feq.s zero,fa1,fa2
        #expect(Decoder.decode(0x0085b507).imm == 8 && Decoder.decode(0xfea5bc27).imm == -8)  // fld/fsd
    }

    @Test("reserved FP encodings are illegal",
          arguments: [0x4035f553,   // fcvt.s.q (Q absent)
                      0x5815f553,   // fsqrt.s with rs2 = 1
                      0x20c5b553,   // fsgnj funct3 = 3
                      0xe0159553,   // fclass.s with rs2 = 1
                      0x0000_4007,  // flq-style LOAD-FP width 4
                      0x6cc5f543] as [UInt32])  // fmadd with fmt = 2 (H/Q)
    func floatReserved(_ word: UInt32) {
        #expect(Decoder.decode(word).op == .illegal)
    }

    @Test("junk words are illegal", arguments: [0x00000000, 0xffffffff, 0x0000007f, 0x0000707b] as [UInt32])
    func junk(_ word: UInt32) {
        #expect(Decoder.decode(word).op == .illegal)
    }
}

@Suite("Compressed")
struct CompressedTests {
    /// (16-bit, its 32-bit expansion, the objdump text)
    static let golden: [(UInt16, UInt32, String)] = [
        (0x0040, 0x00410413, "c.addi4spn s0,sp,4"),
        (0x1ffc, 0x3fc10793, "c.addi4spn a5,sp,1020"),
        (0x4188, 0x0005a503, "c.lw a0,0(a1)"),
        (0x5fe4, 0x07c7a483, "c.lw s1,124(a5)"),
        (0x6188, 0x0005b503, "c.ld a0,0(a1)"),
        (0x7c78, 0x0f843703, "c.ld a4,248(s0)"),
        (0xc1c8, 0x00a5a223, "c.sw a0,4(a1)"),
        (0xdcfc, 0x06f4ae23, "c.sw a5,124(s1)"),
        (0xe690, 0x00c6b423, "c.sd a2,8(a3)"),
        (0xffe0, 0x0e87bc23, "c.sd s0,248(a5)"),
        (0x0001, 0x00000013, "c.addi zero,0"),
        (0x0505, 0x00150513, "c.addi a0,1"),
        (0x1301, 0xfe030313, "c.addi t1,-32"),
        (0x017d, 0x01f10113, "c.addi sp,31"),
        (0x357d, 0xfff5051b, "c.addiw a0,-1"),
        (0x24fd, 0x01f4849b, "c.addiw s1,31"),
        (0x5501, 0xfe000513, "c.li a0,-32"),
        (0x4ffd, 0x01f00f93, "c.li t6,31"),
        (0x7101, 0xe0010113, "c.addi16sp sp,-512"),
        (0x617d, 0x1f010113, "c.addi16sp sp,496"),
        (0x6505, 0x00001537, "c.lui a0,0x1"),
        (0x7281, 0xfffe02b7, "c.lui t0,0xfffe0"),
        (0x64fd, 0x0001f4b7, "c.lui s1,0x1f"),
        (0x8105, 0x00155513, "c.srli a0,0x1"),
        (0x90fd, 0x03f4d493, "c.srli s1,0x3f"),
        (0x9781, 0x4207d793, "c.srai a5,0x20"),
        (0x8405, 0x40145413, "c.srai s0,0x1"),
        (0x997d, 0xfff57513, "c.andi a0,-1"),
        (0x88fd, 0x01f4f493, "c.andi s1,31"),
        (0x8d0d, 0x40b50533, "c.sub a0,a1"),
        (0x8c3d, 0x00f44433, "c.xor s0,a5"),
        (0x8e55, 0x00d66633, "c.or a2,a3"),
        (0x8ce1, 0x0084f4b3, "c.and s1,s0"),
        (0x9d0d, 0x40b5053b, "c.subw a0,a1"),
        (0x9fa5, 0x009787bb, "c.addw a5,s1"),
        (0xaff5, 0x7fc0006f, "c.j 842"),
        (0xb001, 0x801ff06f, "c.j fffffffffffff848"),
        (0xcd7d, 0x0e050f63, "c.beqz a0,148"),
        (0xd081, 0xf00480e3, "c.beqz s1,ffffffffffffff4c"),
        (0xe389, 0x00079163, "c.bnez a5,50"),
        (0x0506, 0x00151513, "c.slli a0,0x1"),
        (0x1ffe, 0x03ff9f93, "c.slli t6,0x3f"),
        (0x4502, 0x00012503, "c.lwsp a0,0(sp)"),
        (0x50fe, 0x0fc12083, "c.lwsp ra,252(sp)"),
        (0x6522, 0x00813503, "c.ldsp a0,8(sp)"),
        (0x7ffe, 0x1f813f83, "c.ldsp t6,504(sp)"),
        (0x8082, 0x00008067, "c.jr ra"),
        (0x8f82, 0x000f8067, "c.jr t6"),
        (0x852e, 0x00b00533, "c.mv a0,a1"),
        (0x8f86, 0x00100fb3, "c.mv t6,ra"),
        (0x9002, 0x00100073, "c.ebreak"),
        (0x9502, 0x000500e7, "c.jalr a0"),
        (0x9f82, 0x000f80e7, "c.jalr t6"),
        (0x952e, 0x00b50533, "c.add a0,a1"),
        (0x917e, 0x01f10133, "c.add sp,t6"),
        (0xc02a, 0x00a12023, "c.swsp a0,0(sp)"),
        (0xdffe, 0x0ff12e23, "c.swsp t6,252(sp)"),
        (0xe406, 0x00113423, "c.sdsp ra,8(sp)"),
        (0xfffe, 0x1ff13c23, "c.sdsp t6,504(sp)"),
        (0x2588, 0x0085b507, "c.fld fa0,8(a1)"),
        (0xbfe0, 0x0e87bc27, "c.fsd fs0,248(a5)"),
        (0x307e, 0x1f813007, "c.fldsp ft0,504(sp)"),
        (0xa43e, 0x00f13427, "c.fsdsp fa5,8(sp)"),
    ]

    @Test("RVC expands to the assembler's 32-bit equivalent", arguments: golden.indices)
    func expansion(_ i: Int) {
        let (c, word, text) = Self.golden[i]
        #expect(Decoder.expandCompressed(c) == word, "\(text)")
    }

    @Test("decoded compressed instructions keep length 2 and their 16 raw bits")
    func lengthAndRaw() {
        let d = Decoder.decodeCompressed(0x4188)   // c.lw a0,0(a1)
        #expect(d.op == .lw && d.length == 2 && d.raw == 0x4188)
    }

    @Test("reserved encodings are illegal",
          arguments: [
              0x0000,  // all zeros: c.addi4spn with imm 0
              0x0004,  // c.addi4spn a1, sp, 0
              0x4002,  // c.lwsp x0
              0x6002,  // c.ldsp x0
              0x8002,  // c.jr x0
              0x6101,  // c.addi16sp 0
              0x6501,  // c.lui a0, 0
              0x2001,  // c.addiw x0
              0x8000,  // quadrant 0, funct3 100
              0x9c41,  // c.subw-space reserved (funct 10)
          ] as [UInt16])
    func reserved(_ c: UInt16) {
        #expect(Decoder.expandCompressed(c) == nil)
        #expect(Decoder.decodeCompressed(c).op == .illegal)
    }
}
