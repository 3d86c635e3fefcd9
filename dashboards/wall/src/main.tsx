document.getElementById('root')!.textContent = 'IOC';
