package io.relspec.cli;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code relspec} command line. */
@Command(
    name = "relspec",
    mixinStandardHelpOptions = true,
    versionProvider = RelspecCommand.Version.class,
    description = "Validate, sign, plan and run relspec rule bundles (format v1).",
    subcommands = {
      ValidateCommand.class,
      NormalizeCommand.class,
      SignatureCommand.class,
      PlanCommand.class,
      RunCommand.class,
      GenCommand.class,
      SqlCommand.class,
      LineageCommand.class,
      CheckCommand.class,
      DiffCommand.class,
      CapabilitiesCommand.class,
      CommandLine.HelpCommand.class
    })
public final class RelspecCommand implements Runnable {
  /** Exit code for a bad bundle, argument or input: the user has to fix something. */
  public static final int EXIT_USER_ERROR = 2;

  /** Exit code for a resource limit (memory, depth, size). */
  public static final int EXIT_RESOURCES = 3;

  /** Exit code for a bug in relspec. */
  public static final int EXIT_INTERNAL = 70;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams and returns the exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new RelspecCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof RelspecException relspec) {
            err.println("error: " + relspec.render());
            err.flush();
            return exitCode(relspec.code());
          }
          err.println(
              "internal error: relspec failed unexpectedly; please report it with this trace");
          e.printStackTrace(err);
          err.flush();
          return EXIT_INTERNAL;
        });
    return cli.execute(args);
  }

  static int exitCode(ErrorCode code) {
    return switch (code.kind()) {
      case USER -> EXIT_USER_ERROR;
      case RESOURCES -> EXIT_RESOURCES;
      case INTERNAL -> EXIT_INTERNAL;
    };
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reports the relspec version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = RelspecCommand.class.getPackage().getImplementationVersion();
      return new String[] {"relspec " + (version == null ? "(development build)" : version)};
    }
  }
}
