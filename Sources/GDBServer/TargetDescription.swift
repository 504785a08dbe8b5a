// TargetDescription.swift — the `target.xml` gdb reads with
// `qXfer:features:read`: the cpu feature (x0–x31, pc), the fpu feature
// (f0–f31, fflags, frm, fcsr), one csr feature made
// from the hart's own CSR table (gdb errors on advertised registers it
// cannot read, so only CSRs that exist are listed), and the virtual `priv`.
// Every register carries its `regnum`, matching DebugTarget's numbering.

import RISCV

enum TargetDescription {
    static let abiNames = [
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
    ]

    static let xml: String = {
        var s = """
            <?xml version="1.0"?>
            <!DOCTYPE target SYSTEM "gdb-target.dtd">
            <target version="1.0">
            <architecture>riscv:rv64</architecture>
            <feature name="org.gnu.gdb.riscv.cpu">

            """
        for (i, name) in abiNames.enumerated() {
            let type = i == 1 ? "code_ptr" : (i == 2 || i == 8 ? "data_ptr" : "int")
            s += "  <reg name=\"\(name)\" bitsize=\"64\" type=\"\(type)\" regnum=\"\(i)\"/>\n"
        }
        s += "  <reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"\(GDBRegister.pc)\"/>\n</feature>\n"
        // The hart has F and D; gdb also refuses a target without FP
        // registers when the ELF uses the double-float ABI (every rv64gc xv6).
        s += "<feature name=\"org.gnu.gdb.riscv.fpu\">\n"
        for i in 0..<32 {
            s += "  <reg name=\"f\(i)\" bitsize=\"64\" type=\"ieee_double\" regnum=\"\(GDBRegister.firstFP + i)\"/>\n"
        }
        for (name, n) in [("fflags", GDBRegister.fflags), ("frm", GDBRegister.frm), ("fcsr", GDBRegister.fcsr)] {
            s += "  <reg name=\"\(name)\" bitsize=\"64\" type=\"int\" regnum=\"\(n)\"/>\n"
        }
        s += "</feature>\n"
        s += "<feature name=\"org.gnu.gdb.riscv.virtual\">\n"
        s += "  <reg name=\"priv\" bitsize=\"64\" type=\"int\" regnum=\"\(GDBRegister.priv)\"/>\n</feature>\n"
        s += "<feature name=\"org.gnu.gdb.riscv.csr\">\n"
        // fflags/frm/fcsr are already in the fpu feature, where gdb looks for them.
        for csr in CSRTable.all where csr.number > CSRNumber.fcsr {
            s += "  <reg name=\"\(csr.name)\" bitsize=\"64\" type=\"int\" regnum=\"\(GDBRegister.firstCSR + Int(csr.number))\" group=\"csr\"/>\n"
        }
        s += "</feature>\n</target>\n"
        return s
    }()
}
