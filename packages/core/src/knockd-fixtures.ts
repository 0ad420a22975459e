/**
 * Real knockd.conf files used by the tests (copied from the seed documents
 * and knockd's manual; tests never read files at run time).
 */

/** Seed 002: a real site (Mathrice, 2006). The slides elide banned2..5 with "..."; filled in like banned1. */
export const SEED_002_SITE = `[options]
  usesyslog
  pidfile = /var/run/knockd.pid

[opencloseSSH]
  sequence      = 1228,1227
  seq_timeout  = 15
  tcpflags     = syn
  command      = /etc/rc.d/init.d/knockd accept %IP%

#NB : les noms de machines, adresses IP et numéros de ports
#     indiqués dans cette présentation sont bien entendu fictifs...

[banned1]
sequence      = 1220,1221
seq_timeout   = 15
tcpflags      = syn
command       = /etc/rc.d/init.d/knockd drop %IP%

[banned2]
sequence      = 1224,1225
seq_timeout   = 15
tcpflags      = syn
command       = /etc/rc.d/init.d/knockd drop %IP%

[banned3]
sequence      = 1226,1226
seq_timeout   = 15
tcpflags      = syn
command       = /etc/rc.d/init.d/knockd drop %IP%

[banned4]
sequence      = 1223,1224
seq_timeout   = 15
tcpflags      = syn
command       = /etc/rc.d/init.d/knockd drop %IP%

[banned5]
sequence      = 1222,1222
seq_timeout   = 15
tcpflags      = syn
command       = /etc/rc.d/init.d/knockd drop %IP%
`;

/** Seed 002 exactly as the slides print the second part, elisions included. */
export const SEED_002_SLIDE = `[banned1]
sequence      = 1220,1221
seq_timeout   = 15
tcpflags      = syn
command       = /etc/rc.d/init.d/knockd drop %IP%

[banned2]
sequence      = 1224,1225
...

[banned3]
sequence      = 1226,1226
...
`;

/** Seed 000: a French tutorial, first version (open and close doors). */
export const SEED_000_OPEN_CLOSE = `[openSSH]
sequence    = 6666,7532,9123
seq_timeout = 5
command     = /sbin/iptables -I INPUT -s %IP% -p tcp --dport 22 -j ACCEPT
tcpflags    = syn

[closeSSH]
sequence    = 9123,7532,6666
seq_timeout = 5
command     = /sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT
tcpflags    = syn
`;

/** Seed 000, second version (typographic dashes copied from the blog as they are; its "/etc/knockd.conf:" caption dropped). */
export const SEED_000_TIMED = `[opencloseSSH]
sequence = 6666,8213,12312,9432
seq_timeout = 5
tcpflags = syn
start_command = /usr/sbin/iptables -I INPUT -s %IP% -p tcp –syn –dport 22 -j ACCEPT
cmd_timeout = 25
stop_command = /usr/sbin/iptables -D INPUT -s %IP% -p tcp –syn –dport 22 -j ACCEPT
`;

/** Seed 003: Debian's default file as a Russian tutorial shows it (blank lines between directives). */
export const SEED_003_DEFAULT = `[options]

UseSyslog

[openSSH]

sequence = 7000,8000,9000

seq_timeout = 15

command = /sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT

tcpflags = syn

[closeSSH]

sequence = 9000,8000,7000

seq_timeout = 5

command = /sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT

tcpflags = syn
`;

/** Seed 003, second version (start/stop with cmd_timeout). */
export const SEED_003_TIMED = `[options]

UseSyslog

 

[openSSH]

sequence = 7000,8000,9000

seq_timeout = 15

tcpflags = syn

start_command = /sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT

cmd_timeout = 10

stop_command = /sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT
`;

/** Seed 004: monitoring-fr wiki (indented, mixed udp/tcp). */
export const SEED_004_WIKI = `[options]
        logfile = /var/log/knockd.log

[opencloseSSH]
        sequence    = 7000:udp,8000:tcp,9000:udp
        seq_timeout = 5
        start_command     = /sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT
        cmd_timeout    = 30
        stop_command     = /sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT
        tcpflags    = syn
`;

/** knockd(1) example #2 (tab-aligned like the manual). */
export const MAN_EXAMPLE_2 = `[options]
\tlogfile = /var/log/knockd.log

[opencloseSSH]
\tsequence\t = 2222:udp,3333:tcp,4444:udp
\tseq_timeout\t = 15
\ttcpflags\t = syn,ack
\tstart_command = /usr/sbin/iptables -A INPUT -s %IP% -p tcp --syn -j ACCEPT
\tcmd_timeout\t = 5
\tstop_command\t = /usr/sbin/iptables -D INPUT -s %IP% -p tcp --syn -j ACCEPT
`;

/** knockd(1) example #4: one-time sequences and IPv6 commands. */
export const MAN_EXAMPLE_4 = `[options]
     logfile = /var/log/knockd.log

[opencloseSMTP]
     one_time_sequences = /etc/knockd/smtp_sequences
     seq_timeout        = 15
     tcpflags           = fin,!ack
     start_command      = /usr/sbin/iptables -A INPUT -s %IP% -p tcp --dport 25 -j ACCEPT
     start_command_6    = /usr/sbin/ip6tables -A INPUT -s %IP% -p tcp --dport 25 -j ACCEPT
     cmd_timeout        = 5
     stop_command       = /usr/sbin/iptables -D INPUT -s %IP% -p tcp --dport 25 -j ACCEPT
     stop_command_6     = /usr/sbin/ip6tables -D INPUT -s %IP% -p tcp --dport 25 -j ACCEPT
`;

/** Every sample that must parse, by name. */
export const VALID_SAMPLES: Record<string, string> = {
  SEED_002_SITE,
  SEED_000_OPEN_CLOSE,
  SEED_000_TIMED,
  SEED_003_DEFAULT,
  SEED_003_TIMED,
  SEED_004_WIKI,
  MAN_EXAMPLE_2,
  MAN_EXAMPLE_4,
};
