using System.Runtime.InteropServices;

namespace Descent.Cli.Infrastructure;

/// <summary>
/// The process's stop signals, handled in one place and alike: the first Ctrl-C (SIGINT) or SIGTERM (<c>kill</c>,
/// <c>docker stop</c>, <c>systemctl stop</c>) cancels <see cref="Token"/>, so the running command stops at its next batch
/// or step, saves its checkpoint, marks its tracked run stopped and exits 5 (<c>descent dashboard</c> shuts its page
/// down and exits 0); a second signal ends the process at once, the hard way.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals() =>
        _registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(Register).OfType<PosixSignalRegistration>()];

    /// <summary>Cancelled by the first stop signal.</summary>
    public CancellationToken Token => _source.Token;

    private PosixSignalRegistration? Register(PosixSignal signal)
    {
        try
        {
            return PosixSignalRegistration.Create(signal, Handle);
        }
        catch (PlatformNotSupportedException)
        {
            return null; // a platform without this signal: nothing to handle
        }
    }

    private void Handle(PosixSignalContext context)
    {
        if (_source.IsCancellationRequested) return; // the second signal: the default action ends the process
        context.Cancel = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _source.Dispose();
    }
}
