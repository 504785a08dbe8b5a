// sh: the command interpreter.
//
// A line passes through three stages: lex() cuts it into tokens, the
// parse_* functions build a tree of nodes, and run_here()/run_child()
// walk the tree. The grammar, loosest binding first:
//
//   list     := pipeline { (';' | '&') pipeline } [';' | '&']
//   pipeline := command { '|' command }
//   command  := (word | redirect) { word | redirect }
//             | '(' list ')' { redirect }
//   redirect := ('<' | '>') word
//
// Words may contain "double quotes" to keep blanks and operators in them.
// `cd` is built in. `&` runs what precedes it without waiting.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "user/user.h"

#define LINESZ  512
#define MAXTOK  128
#define MAXNODE 64

// ---- tokens ----

// The operator kinds follow the order of the characters in OPS.
#define OPS " |;&<>()"
enum { TK_WORD, TK_PIPE, TK_SEMI, TK_AMP, TK_IN, TK_OUT, TK_LP, TK_RP, TK_END };

struct token {
  int kind;
  char *word;             // TK_WORD only
};

static struct token toks[MAXTOK];
static int pos;                        // parser's next token
static char words[2 * LINESZ];         // word text; each word plus its NUL

static int blank(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Splits s into toks, ending with TK_END. Words are copied into `words`
// so that operators written right against them ("ls>out") stay intact.
static int lex(const char *s)
{
  char *w = words;
  int n = 0;
  for (;;) {
    while (blank(*s))
      s++;
    if (n == MAXTOK - 1) {
      fprintf(2, "sh: line too complicated\n");
      return -1;
    }
    struct token *t = &toks[n++];
    t->word = 0;
    if (*s == 0) {
      t->kind = TK_END;
      return 0;
    }
    const char *op = strchr(OPS + 1, *s);
    if (op != 0) {
      t->kind = op - OPS;
      s++;
      continue;
    }
    t->kind = TK_WORD;
    t->word = w;
    while (*s && !blank(*s) && !strchr(OPS, *s)) {
      if (*s != '"') {
        *w++ = *s++;
        continue;
      }
      for (s++; *s && *s != '"'; )
        *w++ = *s++;
      if (*s == 0) {
        fprintf(2, "sh: missing closing quote\n");
        return -1;
      }
      s++;
    }
    *w++ = 0;
  }
}

// ---- the tree ----

enum { N_CMD, N_GROUP, N_PIPE, N_SEQ, N_BG };

struct node {
  int kind;
  char *argv[MAXARG + 1];  // N_CMD: the words, then 0
  char *in, *out;          // N_CMD, N_GROUP: redirections, or 0
  struct node *left;       // N_GROUP: the list; others: first part
  struct node *right;      // N_PIPE, N_SEQ: the rest
};

// Nodes come from a fixed pool that is emptied for every line.
static struct node pool[MAXNODE];
static int npool;

static struct node *newnode(int kind, struct node *left, struct node *right)
{
  if (npool == MAXNODE) {
    fprintf(2, "sh: line too complicated\n");
    return 0;
  }
  struct node *n = &pool[npool++];
  memset(n, 0, sizeof *n);
  n->kind = kind;
  n->left = left;
  n->right = right;
  return n;
}

static struct node *syntax(const char *what)
{
  fprintf(2, "sh: syntax error: %s\n", what);
  return 0;
}

static int peek(void)
{
  return toks[pos].kind;
}

static struct node *parse_list(void);

static struct node *parse_command(void)
{
  struct node *n = newnode(N_CMD, 0, 0);
  int argc = 0;
  if (n == 0)
    return 0;

  if (peek() == TK_LP) {
    pos++;
    n->kind = N_GROUP;
    if ((n->left = parse_list()) == 0)
      return 0;
    if (peek() != TK_RP)
      return syntax("missing )");
    pos++;
  }

  for (;;) {
    int k = peek();
    if (k == TK_IN || k == TK_OUT) {
      pos++;
      if (peek() != TK_WORD)
        return syntax("missing file name after < or >");
      if (k == TK_IN)
        n->in = toks[pos++].word;
      else
        n->out = toks[pos++].word;
    } else if (k == TK_WORD && n->kind == N_CMD) {
      if (argc == MAXARG)
        return syntax("too many arguments");
      n->argv[argc++] = toks[pos++].word;
    } else {
      break;
    }
  }

  if (n->kind == N_CMD && argc == 0 && n->in == 0 && n->out == 0)
    return syntax("missing command");
  return n;
}

// Builds pipes leaning right: a | b | c is a | (b | c).
static struct node *parse_pipeline(void)
{
  struct node *n = parse_command();
  if (n == 0 || peek() != TK_PIPE)
    return n;
  pos++;
  struct node *rest = parse_pipeline();
  return rest ? newnode(N_PIPE, n, rest) : 0;
}

static struct node *parse_list(void)
{
  struct node *n = parse_pipeline();
  if (n == 0)
    return 0;
  if (peek() == TK_AMP) {
    pos++;
    if ((n = newnode(N_BG, n, 0)) == 0)
      return 0;
  } else if (peek() == TK_SEMI) {
    pos++;
  } else {
    return n;               // the caller decides whether what follows fits
  }
  if (peek() == TK_END || peek() == TK_RP)
    return n;               // a separator may end the list
  struct node *rest = parse_list();
  return rest ? newnode(N_SEQ, n, rest) : 0;
}

// ---- running ----

static void run_here(struct node *n);

static void die(const char *msg)
{
  fprintf(2, "sh: %s\n", msg);
  exit(1);
}

// Makes fd known as `to` instead. Relies on dup taking the lowest free
// descriptor, which is `to` once it is closed (the ones below are open).
static void move_fd(int fd, int to)
{
  if (fd == to)
    return;
  close(to);
  dup(fd);
  close(fd);
}

static void redirect(struct node *n)
{
  if (n->in) {
    int fd = open(n->in, O_RDONLY);
    if (fd < 0) {
      fprintf(2, "sh: cannot open %s\n", n->in);
      exit(1);
    }
    move_fd(fd, 0);
  }
  if (n->out) {
    int fd = open(n->out, O_WRONLY | O_CREATE | O_TRUNC);
    if (fd < 0) {
      fprintf(2, "sh: cannot create %s\n", n->out);
      exit(1);
    }
    move_fd(fd, 1);
  }
}

static int builtin_cd(struct node *n)
{
  char *dir = n->argv[1] ? n->argv[1] : "/";
  if (chdir(dir) < 0) {
    fprintf(2, "cd: cannot cd %s\n", dir);
    return -1;
  }
  return 0;
}

static void run_child(struct node *n);

// Forks a child that runs n with one end of the pipe fds as its fd `end`:
// fds[0], the read end, becomes fd 0; fds[1], the write end, fd 1.
static int pipe_end(struct node *n, int fds[2], int end)
{
  int pid = fork();
  if (pid < 0)
    die("fork failed");
  if (pid == 0) {
    close(fds[1 - end]);
    move_fd(fds[end], end);
    run_child(n);
  }
  return pid;
}

// Runs n in the current process, which is always a child of the
// interactive shell, and exits with its status. Never returns.
static void run_child(struct node *n)
{
  switch (n->kind) {
  case N_CMD:
    redirect(n);
    if (n->argv[0] == 0)
      exit(0);              // a bare "> file" just creates the file
    if (strcmp(n->argv[0], "cd") == 0)
      exit(builtin_cd(n) < 0);   // no lasting effect, as in any subshell
    exec(n->argv[0], n->argv);
    // The programs live in the root directory: find them from anywhere.
    if (strchr(n->argv[0], '/') == 0 && strlen(n->argv[0]) + 2 <= MAXPATH) {
      char path[MAXPATH];
      path[0] = '/';
      strcpy(path + 1, n->argv[0]);
      exec(path, n->argv);
    }
    fprintf(2, "exec %s failed\n", n->argv[0]);
    exit(1);

  case N_GROUP:
    redirect(n);
    run_here(n->left);
    exit(0);

  case N_PIPE: {
    int fds[2], status = 0, st, w;
    if (pipe(fds) < 0)
      die("pipe failed");
    pipe_end(n->left, fds, 1);
    int reader = pipe_end(n->right, fds, 0);
    // Both ends must be closed here, or the reader never sees end of file.
    close(fds[0]);
    close(fds[1]);
    while ((w = wait(&st)) >= 0)
      if (w == reader)
        status = st;
    exit(status);
  }

  default:                  // N_SEQ, N_BG inside a group or a pipe
    run_here(n);
    exit(0);
  }
}

static int spawn(struct node *n)
{
  int pid = fork();
  if (pid < 0)
    fprintf(2, "sh: fork failed\n");
  else if (pid == 0)
    run_child(n);
  return pid;
}

// Runs n from the shell process itself, so that `cd` in a plain command
// or a sequence changes the shell's own directory.
static void run_here(struct node *n)
{
  int pid, w;

  switch (n->kind) {
  case N_SEQ:
    run_here(n->left);
    run_here(n->right);
    return;

  case N_BG:
    spawn(n->left);         // not waited for; reaped by a later wait
    return;

  case N_CMD:
    if (n->argv[0] && strcmp(n->argv[0], "cd") == 0) {
      builtin_cd(n);
      return;
    }
    // fall through

  default:
    if ((pid = spawn(n)) < 0)
      return;
    // Background jobs that finished meanwhile are reaped here too.
    while ((w = wait(0)) >= 0 && w != pid)
      ;
    return;
  }
}

int main(int argc, char *argv[])
{
  static char line[LINESZ];
  struct stat st;

  if (argc > 1) {           // sh FILE: read commands from FILE
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "sh: cannot open %s\n", argv[1]);
      exit(1);
    }
    move_fd(fd, 0);
  }
  // Prompt only when a person is typing, i.e. input is a device.
  int prompt = fstat(0, &st) < 0 || st.type == T_DEVICE;

  for (;;) {
    if (prompt)
      fprintf(2, "$ ");
    gets(line, sizeof line);
    if (line[0] == 0)
      break;                // end of input
    if (lex(line) < 0 || toks[0].kind == TK_END)
      continue;
    pos = 0;
    npool = 0;
    struct node *n = parse_list();
    if (n == 0)
      continue;
    if (peek() != TK_END) {
      syntax("unexpected token");
      continue;
    }
    run_here(n);
  }
  return 0;
}
